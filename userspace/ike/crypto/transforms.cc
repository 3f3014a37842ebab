// Transform sizes (see transforms.h).
#include "ike/crypto/transforms.h"

namespace answerd::crypto {

bool is_supported(PrfId prf) { return prf_output_size(prf) != 0; }
bool is_supported(IntegId integ) { return integ_key_size(integ) != 0; }
bool is_supported(DhGroup group) { return ke_public_size(group) != 0; }

bool is_supported(EncrId encr, std::uint16_t key_bits) {
  return encr_keymat_size(encr, key_bits).has_value();
}

bool is_aead(EncrId encr) {
  return encr == EncrId::kAesGcm16 || encr == EncrId::kChacha20Poly1305;
}

std::size_t prf_output_size(PrfId prf) {
  switch (prf) {
    case PrfId::kHmacSha1: return 20;
    case PrfId::kHmacSha2_256: return 32;
    case PrfId::kHmacSha2_384: return 48;
    case PrfId::kHmacSha2_512: return 64;
    default: return 0;
  }
}

std::size_t integ_key_size(IntegId integ) {
  switch (integ) {
    case IntegId::kHmacSha1_96: return 20;
    case IntegId::kHmacSha2_256_128: return 32;
    case IntegId::kHmacSha2_384_192: return 48;
    case IntegId::kHmacSha2_512_256: return 64;
    default: return 0;
  }
}

std::size_t integ_icv_size(IntegId integ) {
  switch (integ) {
    case IntegId::kHmacSha1_96: return 12;
    case IntegId::kHmacSha2_256_128: return 16;
    case IntegId::kHmacSha2_384_192: return 24;
    case IntegId::kHmacSha2_512_256: return 32;
    default: return 0;
  }
}

answerd::expected<std::size_t, CryptoError> encr_keymat_size(EncrId encr,
                                                            std::uint16_t key_bits) {
  switch (encr) {
    case EncrId::kAesCbc:
      if (key_bits == 128 || key_bits == 256) return std::size_t{key_bits / 8u};
      break;
    case EncrId::kAesGcm16:
      if (key_bits == 128 || key_bits == 256) return std::size_t{key_bits / 8u + 4u};
      break;
    case EncrId::kChacha20Poly1305:
      if (key_bits == 0 || key_bits == 256) return std::size_t{32 + 4};
      break;
    default:
      break;
  }
  return answerd::unexpected(CryptoError::kUnsupported);
}

std::size_t ke_public_size(DhGroup group) {
  switch (group) {
    case DhGroup::kModp2048: return 256;
    case DhGroup::kModp3072: return 384;
    case DhGroup::kModp4096: return 512;
    case DhGroup::kEcp256: return 64;
    case DhGroup::kEcp384: return 96;
    case DhGroup::kEcp521: return 132;
    case DhGroup::kCurve25519: return 32;
    default: return 0;
  }
}

std::size_t ke_shared_size(DhGroup group) {
  switch (group) {
    case DhGroup::kEcp256: return 32;
    case DhGroup::kEcp384: return 48;
    case DhGroup::kEcp521: return 66;
    default: return ke_public_size(group);
  }
}

}  // namespace answerd::crypto
