// Transform ID to kernel algorithm name table (see xfrm_algorithms.h).
#include "kernel/xfrm/xfrm_algorithms.h"

#include <array>

namespace answerd::kernel::xfrm {
namespace {

struct EncrRow {
  ike::EncrId id;
  EncrAlgName alg;
};
struct IntegRow {
  ike::IntegId id;
  IntegAlgName alg;
};

constexpr std::array kEncr{
    EncrRow{ike::EncrId::kAesGcm16, {"rfc4106(gcm(aes))", true, 128, 4}},
    EncrRow{ike::EncrId::kAesGcm12, {"rfc4106(gcm(aes))", true, 96, 4}},
    EncrRow{ike::EncrId::kAesGcm8, {"rfc4106(gcm(aes))", true, 64, 4}},
    EncrRow{ike::EncrId::kChacha20Poly1305, {"rfc7539esp(chacha20,poly1305)", true, 128, 4}},
    EncrRow{ike::EncrId::kAesCbc, {"cbc(aes)", false, 0, 0}},
};

constexpr std::array kInteg{
    IntegRow{ike::IntegId::kHmacSha2_256_128, {"hmac(sha256)", 128, 32}},
    IntegRow{ike::IntegId::kHmacSha2_384_192, {"hmac(sha384)", 192, 48}},
    IntegRow{ike::IntegId::kHmacSha2_512_256, {"hmac(sha512)", 256, 64}},
    IntegRow{ike::IntegId::kHmacSha1_96, {"hmac(sha1)", 96, 20}},
};

}  // namespace

std::optional<EncrAlgName> encr_alg(ike::EncrId id) {
  for (const auto& r : kEncr)
    if (r.id == id) return r.alg;
  return std::nullopt;
}

std::optional<IntegAlgName> integ_alg(ike::IntegId id) {
  for (const auto& r : kInteg)
    if (r.id == id) return r.alg;
  return std::nullopt;
}

}  // namespace answerd::kernel::xfrm
