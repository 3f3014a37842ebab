// Internal to answerd_crypto: one factory per family of key exchange groups.
#pragma once

#include "ike/crypto/key_exchange.h"

namespace answerd::crypto::detail {

using KeResult = answerd::expected<std::unique_ptr<KeyExchange>, CryptoError>;

[[nodiscard]] KeResult make_modp(ike::DhGroup group, Random& rng);
[[nodiscard]] KeResult make_ecp(ike::DhGroup group, Random& rng);
[[nodiscard]] KeResult make_x25519(Random& rng);

}  // namespace answerd::crypto::detail
