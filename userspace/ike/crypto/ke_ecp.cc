// ECP groups 19, 20, 21 (NIST P-256/384/521, RFC 5903) with OpenSSL EC_POINT
// arithmetic on a process-wide EC_GROUP (the same scalar multiplication that
// EVP_PKEY_derive runs, without the per-call EVP key import). Peer checks per
// RFC 6989 2.3; KE data is x | y without the 0x04 octet (RFC 5903 7).
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <vector>

#include "ike/crypto/ke_groups.h"
#include "ike/crypto/ossl.h"
#include "ike/crypto/transforms.h"

namespace answerd::crypto::detail {
namespace {

struct EcParams {
  ossl::EcGroup group;
  ossl::Bn p;            // field prime
  const BIGNUM* order = nullptr;
  std::size_t coord = 0;  // bytes per coordinate
  std::size_t scalar = 0; // bytes of a private scalar (= bytes of the order)
  std::uint8_t top_mask = 0xff;
  bool ok = false;
};

EcParams build(int nid) {
  EcParams e;
  e.group.reset(EC_GROUP_new_by_curve_name(nid));
  e.p.reset(BN_new());
  if (!e.group || !e.p) return e;
  if (EC_GROUP_get_curve(e.group.get(), e.p.get(), nullptr, nullptr, nullptr) != 1) return e;
  e.order = EC_GROUP_get0_order(e.group.get());
  e.coord = static_cast<std::size_t>(BN_num_bytes(e.p.get()));
  const int order_bits = BN_num_bits(e.order);
  e.scalar = static_cast<std::size_t>((order_bits + 7) / 8);
  const int spare = static_cast<int>(e.scalar * 8) - order_bits;
  e.top_mask = static_cast<std::uint8_t>(0xff >> spare);
  e.ok = true;
  return e;
}

const EcParams* params(ike::DhGroup group) {
  switch (group) {
    case ike::DhGroup::kEcp256: {
      static const EcParams e = build(NID_X9_62_prime256v1);
      return e.ok ? &e : nullptr;
    }
    case ike::DhGroup::kEcp384: {
      static const EcParams e = build(NID_secp384r1);
      return e.ok ? &e : nullptr;
    }
    case ike::DhGroup::kEcp521: {
      static const EcParams e = build(NID_secp521r1);
      return e.ok ? &e : nullptr;
    }
    default:
      return nullptr;
  }
}

// point * priv (or G * priv when point is null); writes x (and y when out_y non-empty).
bool multiply(const EcParams& e, const EC_POINT* point, std::span<const std::uint8_t> priv,
              std::span<std::uint8_t> out_x, std::span<std::uint8_t> out_y) {
  ossl::BnCtx ctx(BN_CTX_new());
  ossl::Bn k(BN_bin2bn(priv.data(), static_cast<int>(priv.size()), nullptr));
  ossl::EcPoint r(EC_POINT_new(e.group.get()));
  ossl::Bn x(BN_new()), y(BN_new());
  if (!ctx || !k || !r || !x || !y) return false;
  BN_set_flags(k.get(), BN_FLG_CONSTTIME);
  const int ok = point == nullptr
                     ? EC_POINT_mul(e.group.get(), r.get(), k.get(), nullptr, nullptr, ctx.get())
                     : EC_POINT_mul(e.group.get(), r.get(), nullptr, point, k.get(), ctx.get());
  if (ok != 1 || EC_POINT_is_at_infinity(e.group.get(), r.get())) return false;
  if (EC_POINT_get_affine_coordinates(e.group.get(), r.get(), x.get(), y.get(), ctx.get()) != 1)
    return false;
  const int cl = static_cast<int>(e.coord);
  if (BN_bn2binpad(x.get(), out_x.data(), cl) != cl) return false;
  return out_y.empty() || BN_bn2binpad(y.get(), out_y.data(), cl) == cl;
}

class Ecp final : public KeyExchange {
 public:
  Ecp(ike::DhGroup g, const EcParams& e, SecretBytes priv)
      : KeyExchange(g), e_(e), priv_(std::move(priv)), pub_(2 * e.coord) {}

  bool init() {
    std::span<std::uint8_t> pub(pub_);
    return multiply(e_, nullptr, priv_.view(), pub.first(e_.coord), pub.subspan(e_.coord));
  }

  std::span<const std::uint8_t> public_value() const override { return pub_; }

  answerd::expected<SecretBytes, CryptoError> shared_secret(
      std::span<const std::uint8_t> peer) const override {
    if (peer.size() != 2 * e_.coord) return answerd::unexpected(CryptoError::kBadPublicValueLength);
    const int cl = static_cast<int>(e_.coord);
    ossl::Bn x(BN_bin2bn(peer.data(), cl, nullptr));
    ossl::Bn y(BN_bin2bn(peer.data() + e_.coord, cl, nullptr));
    ossl::EcPoint q(EC_POINT_new(e_.group.get()));
    ossl::BnCtx ctx(BN_CTX_new());
    if (!x || !y || !q || !ctx) return answerd::unexpected(CryptoError::kInternal);
    // RFC 6989 2.3: coordinates in [0, p-1] and the point on the curve. OpenSSL
    // checks the curve equation; the range check keeps non-canonical encodings out.
    if (BN_cmp(x.get(), e_.p.get()) >= 0 || BN_cmp(y.get(), e_.p.get()) >= 0 ||
        EC_POINT_set_affine_coordinates(e_.group.get(), q.get(), x.get(), y.get(), ctx.get()) != 1 ||
        EC_POINT_is_on_curve(e_.group.get(), q.get(), ctx.get()) != 1)
      return answerd::unexpected(CryptoError::kInvalidPublicValue);
    SecretBytes out(e_.coord);
    if (!multiply(e_, q.get(), priv_.view(), out.writable(), {}))
      return answerd::unexpected(CryptoError::kInvalidPublicValue);
    return out;
  }

 private:
  const EcParams& e_;
  SecretBytes priv_;
  std::vector<std::uint8_t> pub_;
};

// A scalar in [1, n-1]: len(n) random bytes, top byte masked, rejected until in range.
bool draw_scalar(const EcParams& e, Random& rng, SecretBytes& priv) {
  for (int tries = 0; tries < 64; ++tries) {
    rng.fill(priv.writable());
    priv.writable()[0] &= e.top_mask;
    ossl::Bn k(BN_bin2bn(priv.data(), static_cast<int>(priv.size()), nullptr));
    if (!k) return false;
    if (!BN_is_zero(k.get()) && BN_cmp(k.get(), e.order) < 0) return true;
  }
  return false;
}

}  // namespace

KeResult make_ecp(ike::DhGroup group, Random& rng) {
  const EcParams* e = params(group);
  if (e == nullptr) return answerd::unexpected(CryptoError::kUnsupported);
  SecretBytes priv(e->scalar);
  if (!draw_scalar(*e, rng, priv)) return answerd::unexpected(CryptoError::kInternal);
  auto ke = std::make_unique<Ecp>(group, *e, std::move(priv));
  if (!ke->init()) return answerd::unexpected(CryptoError::kInternal);
  return std::unique_ptr<KeyExchange>(std::move(ke));
}

}  // namespace answerd::crypto::detail
