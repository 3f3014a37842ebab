// Sizes and properties of the IKEv2 transforms the crypto suite implements, keyed
// by the IANA numbers of ike/wire/iana.h. The SA layer uses these to size keys
// (RFC 7296 2.14, 2.17) and to accept only what answerd can actually run.
//
//   ENCR  AES-CBC (12) 128/256, AES-GCM-16 (20) 128/256 (RFC 5282),
//         CHACHA20-POLY1305 (28, 256 only, RFC 7634)
//   PRF   HMAC-SHA1 (2), HMAC-SHA2-256/384/512 (5/6/7, RFC 4868)
//   INTEG HMAC-SHA1-96 (2), HMAC-SHA2-256-128/384-192/512-256 (12/13/14, RFC 4868)
//   DH    MODP 14/15/16 (RFC 3526), ECP 19/20/21 (RFC 5903), Curve25519 31 (RFC 8031)
#pragma once

#include <cstddef>
#include <cstdint>

#include "ike/crypto/errors.h"
#include "ike/wire/iana.h"
#include "util/expected.h"

namespace answerd::crypto {

using ike::DhGroup;
using ike::EncrId;
using ike::IntegId;
using ike::PrfId;

[[nodiscard]] bool is_supported(PrfId prf);
[[nodiscard]] bool is_supported(IntegId integ);
[[nodiscard]] bool is_supported(DhGroup group);
// key_bits is the Key Length attribute (0 when absent; ChaCha20-Poly1305 takes 0 or 256).
[[nodiscard]] bool is_supported(EncrId encr, std::uint16_t key_bits);
[[nodiscard]] bool is_aead(EncrId encr);

// PRF output length = preferred key length for SK_d, SK_pi, SK_pr (RFC 7296 2.14).
[[nodiscard]] std::size_t prf_output_size(PrfId prf);
// Integrity key length (RFC 4868 2.1.1: key = full hash output) and ICV length.
[[nodiscard]] std::size_t integ_key_size(IntegId integ);
[[nodiscard]] std::size_t integ_icv_size(IntegId integ);
// Encryption key material taken from prf+ for SK_e* and for ESP KEYMAT: the cipher
// key plus, for AEAD, the 4-byte salt (RFC 5282 7.1 for GCM, RFC 7634 for ChaCha20).
[[nodiscard]] answerd::expected<std::size_t, CryptoError> encr_keymat_size(EncrId encr,
                                                                          std::uint16_t key_bits);
// Public value (KE payload data) length and shared secret length of a group.
// MODP: len(p) both; ECP: 2*len(coordinate) and len(coordinate); X25519: 32 and 32.
[[nodiscard]] std::size_t ke_public_size(DhGroup group);
[[nodiscard]] std::size_t ke_shared_size(DhGroup group);

}  // namespace answerd::crypto
