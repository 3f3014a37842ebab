// Key exchange factory and Curve25519 (RFC 7748, RFC 8031) through libsodium.
#include "ike/crypto/key_exchange.h"

#include <sodium.h>

#include <array>

#include "ike/crypto/ke_groups.h"

namespace answerd::crypto {

namespace detail {
namespace {

class X25519 final : public KeyExchange {
 public:
  explicit X25519(SecretBytes priv) : KeyExchange(ike::DhGroup::kCurve25519), priv_(std::move(priv)) {}

  bool init() { return crypto_scalarmult_base(pub_.data(), priv_.data()) == 0; }

  std::span<const std::uint8_t> public_value() const override { return pub_; }

  answerd::expected<SecretBytes, CryptoError> shared_secret(
      std::span<const std::uint8_t> peer) const override {
    if (peer.size() != crypto_scalarmult_BYTES)
      return answerd::unexpected(CryptoError::kBadPublicValueLength);
    SecretBytes out(crypto_scalarmult_BYTES);
    // libsodium returns -1 when the result is all zeros (RFC 8031 2.3 check).
    if (crypto_scalarmult(out.writable().data(), priv_.data(), peer.data()) != 0)
      return answerd::unexpected(CryptoError::kInvalidPublicValue);
    return out;
  }

 private:
  SecretBytes priv_;
  std::array<std::uint8_t, crypto_scalarmult_BYTES> pub_{};
};

}  // namespace

KeResult make_x25519(Random& rng) {
  SecretBytes priv(crypto_scalarmult_SCALARBYTES);
  rng.fill(priv.writable());
  auto ke = std::make_unique<X25519>(std::move(priv));
  if (!ke->init()) return answerd::unexpected(CryptoError::kInternal);
  return std::unique_ptr<KeyExchange>(std::move(ke));
}

}  // namespace detail

answerd::expected<std::unique_ptr<KeyExchange>, CryptoError> make_key_exchange(
    ike::DhGroup group, Random& rng) {
  switch (group) {
    case ike::DhGroup::kModp2048:
    case ike::DhGroup::kModp3072:
    case ike::DhGroup::kModp4096:
      return detail::make_modp(group, rng);
    case ike::DhGroup::kEcp256:
    case ike::DhGroup::kEcp384:
    case ike::DhGroup::kEcp521:
      return detail::make_ecp(group, rng);
    case ike::DhGroup::kCurve25519:
      return detail::make_x25519(rng);
    default:
      return answerd::unexpected(CryptoError::kUnsupported);
  }
}

}  // namespace answerd::crypto
