// IKE transform IDs (RFC 7296 3.3.2, IANA) to the Linux crypto API names and
// truncation lengths XFRM expects for ESP, as strongSwan's kernel_netlink plugin
// maps them. Only what answerd negotiates for ESP is here.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "ike/wire/iana.h"

namespace answerd::kernel::xfrm {

struct EncrAlgName {
  std::string_view name;     // e.g. "rfc4106(gcm(aes))"
  bool aead = false;         // XFRMA_ALG_AEAD instead of XFRMA_ALG_CRYPT
  std::uint32_t icv_bits = 0;  // AEAD tag length (XFRMA_ALG_AEAD alg_icv_len)
  std::uint32_t salt_bytes = 0;  // trailing salt included in the key (RFC 4106 8.1)
};

struct IntegAlgName {
  std::string_view name;       // e.g. "hmac(sha256)"
  std::uint32_t trunc_bits = 0;  // XFRMA_ALG_AUTH_TRUNC alg_trunc_len
  std::uint32_t key_bytes = 0;   // RFC 4868 2.1.1: key length = hash output
};

// AES-GCM-16 (RFC 4106), ChaCha20-Poly1305 (RFC 7634), AES-CBC (RFC 3602).
[[nodiscard]] std::optional<EncrAlgName> encr_alg(ike::EncrId id);
// HMAC-SHA-256-128 / -384-192 / -512-256 (RFC 4868), HMAC-SHA1-96 (RFC 2404).
[[nodiscard]] std::optional<IntegAlgName> integ_alg(ike::IntegId id);

}  // namespace answerd::kernel::xfrm
