// MODP Diffie-Hellman groups 14, 15, 16 (RFC 3526, generator 2) with OpenSSL BIGNUM
// constant-time Montgomery exponentiation. Peer checks per RFC 6989 2.1.
#include <openssl/bn.h>
#include <sodium.h>

#include <vector>

#include "ike/crypto/ke_groups.h"
#include "ike/crypto/ossl.h"
#include "ike/crypto/transforms.h"

namespace answerd::crypto::detail {
namespace {

// Process-wide, immutable after construction: prime, p-1, generator, Montgomery ctx.
struct ModpParams {
  ossl::Bn p, p_minus_1, g;
  ossl::MontCtx mont;
  std::size_t len = 0;        // bytes of p = public value and g^ir length
  std::size_t exp_bytes = 0;  // private exponent length
  bool ok = false;
};

ModpParams build(BIGNUM* (*get_prime)(BIGNUM*), std::size_t exp_bits) {
  ModpParams m;
  ossl::BnCtx ctx(BN_CTX_new());
  m.p.reset(get_prime(nullptr));
  m.p_minus_1.reset(BN_new());
  m.g.reset(BN_new());
  m.mont.reset(BN_MONT_CTX_new());
  if (!ctx || !m.p || !m.p_minus_1 || !m.g || !m.mont) return m;
  m.ok = BN_copy(m.p_minus_1.get(), m.p.get()) && BN_sub_word(m.p_minus_1.get(), 1) &&
         BN_set_word(m.g.get(), 2) && BN_MONT_CTX_set(m.mont.get(), m.p.get(), ctx.get());
  m.len = static_cast<std::size_t>(BN_num_bytes(m.p.get()));
  m.exp_bytes = exp_bits / 8;
  return m;
}

const ModpParams* params(ike::DhGroup group) {
  switch (group) {
    case ike::DhGroup::kModp2048: {
      static const ModpParams m = build(BN_get_rfc3526_prime_2048, 256);
      return m.ok ? &m : nullptr;
    }
    case ike::DhGroup::kModp3072: {
      static const ModpParams m = build(BN_get_rfc3526_prime_3072, 384);
      return m.ok ? &m : nullptr;
    }
    case ike::DhGroup::kModp4096: {
      static const ModpParams m = build(BN_get_rfc3526_prime_4096, 512);
      return m.ok ? &m : nullptr;
    }
    default:
      return nullptr;
  }
}

// base^exp mod p into a len(p)-byte big-endian buffer.
bool mod_exp(const ModpParams& m, const BIGNUM* base, std::span<const std::uint8_t> exp,
             std::span<std::uint8_t> out) {
  ossl::BnCtx ctx(BN_CTX_new());
  ossl::Bn x(BN_bin2bn(exp.data(), static_cast<int>(exp.size()), nullptr));
  ossl::Bn r(BN_new());
  if (!ctx || !x || !r) return false;
  BN_set_flags(x.get(), BN_FLG_CONSTTIME);
  return BN_mod_exp_mont_consttime(r.get(), base, x.get(), m.p.get(), ctx.get(), m.mont.get()) &&
         BN_bn2binpad(r.get(), out.data(), static_cast<int>(out.size())) ==
             static_cast<int>(out.size());
}

class Modp final : public KeyExchange {
 public:
  Modp(ike::DhGroup g, const ModpParams& m, SecretBytes priv)
      : KeyExchange(g), m_(m), priv_(std::move(priv)), pub_(m.len) {}

  bool init() { return mod_exp(m_, m_.g.get(), priv_.view(), pub_); }

  std::span<const std::uint8_t> public_value() const override { return pub_; }

  answerd::expected<SecretBytes, CryptoError> shared_secret(
      std::span<const std::uint8_t> peer) const override {
    if (peer.size() != m_.len) return answerd::unexpected(CryptoError::kBadPublicValueLength);
    ossl::Bn y(BN_bin2bn(peer.data(), static_cast<int>(peer.size()), nullptr));
    if (!y) return answerd::unexpected(CryptoError::kInternal);
    // RFC 6989 2.1: 1 < y < p-1.
    if (BN_cmp(y.get(), BN_value_one()) <= 0 || BN_cmp(y.get(), m_.p_minus_1.get()) >= 0)
      return answerd::unexpected(CryptoError::kInvalidPublicValue);
    SecretBytes out(m_.len);
    if (!mod_exp(m_, y.get(), priv_.view(), out.writable()))
      return answerd::unexpected(CryptoError::kInternal);
    return out;
  }

 private:
  const ModpParams& m_;
  SecretBytes priv_;
  std::vector<std::uint8_t> pub_;
};

}  // namespace

KeResult make_modp(ike::DhGroup group, Random& rng) {
  const ModpParams* m = params(group);
  if (m == nullptr) return answerd::unexpected(CryptoError::kUnsupported);
  SecretBytes priv(m->exp_bytes);
  // An all-zero exponent (probability 2^-256) would give y = 1: draw again.
  do {
    rng.fill(priv.writable());
  } while (sodium_is_zero(priv.data(), priv.size()) == 1);
  auto ke = std::make_unique<Modp>(group, *m, std::move(priv));
  if (!ke->init()) return answerd::unexpected(CryptoError::kInternal);
  return std::unique_ptr<KeyExchange>(std::move(ke));
}

}  // namespace answerd::crypto::detail
