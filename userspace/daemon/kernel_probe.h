// Probe of the kernel's IPsec dataplane, run at startup when dataplane = xfrm:
// installs a throwaway ESP SA over XFRM netlink and deletes it again. A kernel
// without ESP (CONFIG_INET_ESP unset: "Requested type not found"), without the
// XFRM netlink interface, without the crypto for an ESP SA, or a daemon without
// CAP_NET_ADMIN fails with a sentence saying which, instead of failing obscurely at
// the first IKE_AUTH. The SA uses TEST-NET-1 addresses (RFC 5737), transport mode,
// cbc(aes) + hmac(sha256), and a random SPI; it exists for microseconds.
#pragma once

#include "util/expected.h"

#include <cstdint>
#include <string>
#include <vector>

namespace answerd::daemon {

// Ok when an ESP SA can be installed; otherwise the reason, for the log and for
// the startup error (it names the fix: a kernel with ESP, or dataplane = none).
[[nodiscard]] expected<void, std::string> probe_xfrm_esp();

// The netlink messages of the probe (pure, for tests): XFRM_MSG_NEWSA of the
// throwaway SA and the matching XFRM_MSG_DELSA.
[[nodiscard]] std::vector<std::uint8_t> build_probe_newsa(std::uint32_t spi, std::uint32_t seq);
[[nodiscard]] std::vector<std::uint8_t> build_probe_delsa(std::uint32_t spi, std::uint32_t seq);

// The sentence for a failed XFRM_MSG_NEWSA (errno value, kernel extack text or "").
[[nodiscard]] std::string explain_newsa_error(int err, const std::string& extack);

}  // namespace answerd::daemon
