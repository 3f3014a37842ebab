// IKEv2 key derivation (RFC 7296 2.14, 2.17, 2.18); see keymat.h.
#include "ike/crypto/keymat.h"

#include "ike/crypto/transforms.h"

namespace answerd::crypto {

namespace {

// Splits consecutive pieces off a prf+ output.
class Splitter {
 public:
  explicit Splitter(const SecretBytes& src) : src_(src.view()) {}
  SecretBytes take(std::size_t n) {
    SecretBytes s = SecretBytes::copy_of(src_.subspan(pos_, n));
    pos_ += n;
    return s;
  }

 private:
  std::span<const std::uint8_t> src_;
  std::size_t pos_ = 0;
};

// Sizes of the encryption and integrity keys, or an error for unsupported or
// inconsistent combinations (AEAD with an integrity transform, CBC without one).
answerd::expected<std::pair<std::size_t, std::size_t>, CryptoError> cipher_sizes(
    ike::EncrId encr, std::uint16_t key_bits, ike::IntegId integ) {
  auto e = encr_keymat_size(encr, key_bits);
  if (!e) return answerd::unexpected(e.error());
  if (is_aead(encr)) {
    if (integ != ike::IntegId::kNone) return answerd::unexpected(CryptoError::kUnsupported);
    return std::pair<std::size_t, std::size_t>{*e, 0};
  }
  const std::size_t a = integ_key_size(integ);
  if (a == 0) return answerd::unexpected(CryptoError::kUnsupported);
  return std::pair<std::size_t, std::size_t>{*e, a};
}

}  // namespace

answerd::expected<SecretBytes, CryptoError> skeyseed(ike::PrfId prf_id, Bytes ni, Bytes nr,
                                                     Bytes g_ir) {
  // RFC 7296 2.14: the key of this prf is Ni | Nr. HMAC takes any key length, so
  // the concatenation is used whole (no truncation is needed for HMAC PRFs).
  SecretBytes key(ni.size() + nr.size());
  std::copy(ni.begin(), ni.end(), key.writable().begin());
  std::copy(nr.begin(), nr.end(), key.writable().begin() + static_cast<std::ptrdiff_t>(ni.size()));
  return prf_secret(prf_id, key.view(), {g_ir});
}

answerd::expected<SecretBytes, CryptoError> rekey_skeyseed(ike::PrfId old_prf, Bytes sk_d_old,
                                                           Bytes g_ir_new, Bytes ni, Bytes nr) {
  return prf_secret(old_prf, sk_d_old, {g_ir_new, ni, nr});
}

answerd::expected<IkeKeys, CryptoError> derive_ike_keys(const IkeSuite& suite, Bytes seed,
                                                        Bytes ni, Bytes nr, ike::IkeSpi spi_i,
                                                        ike::IkeSpi spi_r) {
  const std::size_t prf_len = prf_output_size(suite.prf);
  if (prf_len == 0) return answerd::unexpected(CryptoError::kUnsupported);
  auto sizes = cipher_sizes(suite.encr, suite.encr_key_bits, suite.integ);
  if (!sizes) return answerd::unexpected(sizes.error());
  const auto [e_len, a_len] = *sizes;
  const auto spi_i_bytes = spi_i.bytes();
  const auto spi_r_bytes = spi_r.bytes();
  auto stream = prf_plus(suite.prf, seed, {ni, nr, spi_i_bytes, spi_r_bytes},
                         3 * prf_len + 2 * a_len + 2 * e_len);
  if (!stream) return answerd::unexpected(stream.error());
  Splitter s(*stream);
  IkeKeys k;
  k.sk_d = s.take(prf_len);
  k.sk_ai = s.take(a_len);
  k.sk_ar = s.take(a_len);
  k.sk_ei = s.take(e_len);
  k.sk_er = s.take(e_len);
  k.sk_pi = s.take(prf_len);
  k.sk_pr = s.take(prf_len);
  return k;
}

answerd::expected<ChildKeys, CryptoError> derive_child_keys(ike::PrfId prf, Bytes sk_d,
                                                            const ChildSuite& suite, Bytes g_ir,
                                                            Bytes ni, Bytes nr) {
  auto sizes = cipher_sizes(suite.encr, suite.encr_key_bits, suite.integ);
  if (!sizes) return answerd::unexpected(sizes.error());
  const auto [e_len, a_len] = *sizes;
  auto stream = prf_plus(prf, sk_d, {g_ir, ni, nr}, 2 * (e_len + a_len));
  if (!stream) return answerd::unexpected(stream.error());
  Splitter s(*stream);
  ChildKeys k;
  k.encr_i2r = s.take(e_len);
  k.integ_i2r = s.take(a_len);
  k.encr_r2i = s.take(e_len);
  k.integ_r2i = s.take(a_len);
  return k;
}

}  // namespace answerd::crypto
