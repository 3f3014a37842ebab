// PRF and integrity MACs of IKEv2: HMAC with SHA-1 / SHA2-256/384/512 (RFC 2104,
// RFC 4868), prf+ (RFC 7296 2.13). Inputs are lists of byte spans that are hashed
// as their concatenation, so callers never build "Ni | Nr | SPIi | SPIr" by hand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "ike/crypto/errors.h"
#include "ike/crypto/secret_bytes.h"
#include "ike/wire/iana.h"
#include "util/expected.h"

namespace answerd::crypto {

using Bytes = std::span<const std::uint8_t>;
// The concatenation of several spans, in order.
using ByteParts = std::initializer_list<Bytes>;

// prf(key, parts...) into out, which must be exactly prf_output_size(prf) bytes.
[[nodiscard]] answerd::expected<void, CryptoError> prf(ike::PrfId prf, Bytes key,
                                                       ByteParts data,
                                                       std::span<std::uint8_t> out);
// The same, returning a wiping buffer (for SKEYSEED and other secret outputs).
[[nodiscard]] answerd::expected<SecretBytes, CryptoError> prf_secret(ike::PrfId prf, Bytes key,
                                                                     ByteParts data);

// RFC 7296 2.13: prf+(K, S) = T1 | T2 | ..., T1 = prf(K, S | 0x01),
// Tn = prf(K, Tn-1 | S | n). Returns the first `length` bytes; at most 255 blocks.
[[nodiscard]] answerd::expected<SecretBytes, CryptoError> prf_plus(ike::PrfId prf, Bytes key,
                                                                   ByteParts seed,
                                                                   std::size_t length);

// Integrity transform: HMAC truncated to integ_icv_size(integ) bytes, into out
// (exactly that size). The key must be integ_key_size(integ) bytes.
[[nodiscard]] answerd::expected<void, CryptoError> integ_mac(ike::IntegId integ, Bytes key,
                                                             ByteParts data,
                                                             std::span<std::uint8_t> out);

}  // namespace answerd::crypto
