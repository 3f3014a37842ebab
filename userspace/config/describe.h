// Human-readable summary of a loaded Config in swanctl --list-conns style, for
// `answerd --check-config` and logs. Secrets are never printed, only their count.
#pragma once

#include <string>

#include "config/config.h"

namespace answerd::config {

// One block per connection:
//   hub: IKEv2, local 192.0.2.1, remote %any, unique replace
//     proposals: aes256gcm16-prfsha256-x25519, aes128-sha256-prfsha256-modp2048
//     lifetimes: AUTH_LIFETIME 4h, hard 264m
//     local psk 'hub.example'
//     remote psk '%any'
//     net: tunnel, 10.1.0.0/24 === 10.2.0.0/24, life 1h (soft 54m)
//       esp: aes256gcm16, aes128-sha256
// followed by "secrets: N" and the daemon settings that matter at startup.
[[nodiscard]] std::string describe(const Config& cfg);

}  // namespace answerd::config
