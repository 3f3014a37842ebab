// Key derivation shapes not covered by the strongSwan sessions: key sizes per suite,
// the rekey SKEYSEED of RFC 7296 2.18 and Child SA KEYMAT with PFS (2.17), each
// written out with the known-answer-tested prf / prf+.
#include "ike/crypto/keymat.h"

#include <gtest/gtest.h>

#include "hex.h"
#include "ike/crypto/transforms.h"

namespace answerd::crypto {
namespace {

using ike::EncrId;
using ike::IntegId;
using ike::PrfId;
using test::hex;
using test::repeat;

const ike::IkeSpi kSpiI(0x0011223344556677), kSpiR(0x8899aabbccddeeff);

TEST(Keymat, SkeyseedIsPrfOfNoncesOverSharedSecret) {
  const auto ni = repeat(1, 32), nr = repeat(2, 48), gir = repeat(3, 256);
  auto seed = skeyseed(PrfId::kHmacSha2_384, ni, nr, gir);
  ASSERT_TRUE(seed.has_value());
  std::vector<std::uint8_t> key(ni);
  key.insert(key.end(), nr.begin(), nr.end());
  std::vector<std::uint8_t> expect(48);
  ASSERT_TRUE(prf(PrfId::kHmacSha2_384, key, {gir}, expect).has_value());
  EXPECT_EQ(hex(seed->view()), hex(expect));
}

TEST(Keymat, IkeKeySizesFollowTheSuite) {
  struct V {
    IkeSuite suite;
    std::size_t d, a, e;
  };
  const V vs[] = {
      {{.encr = EncrId::kAesGcm16, .encr_key_bits = 128, .prf = PrfId::kHmacSha2_256,
        .integ = IntegId::kNone}, 32, 0, 20},
      {{.encr = EncrId::kChacha20Poly1305, .encr_key_bits = 0, .prf = PrfId::kHmacSha2_384,
        .integ = IntegId::kNone}, 48, 0, 36},
      {{.encr = EncrId::kAesCbc, .encr_key_bits = 256, .prf = PrfId::kHmacSha2_512,
        .integ = IntegId::kHmacSha2_512_256}, 64, 64, 32},
      {{.encr = EncrId::kAesCbc, .encr_key_bits = 128, .prf = PrfId::kHmacSha1,
        .integ = IntegId::kHmacSha1_96}, 20, 20, 16},
  };
  const auto seed = repeat(9, 32), ni = repeat(1, 16), nr = repeat(2, 16);
  for (const V& v : vs) {
    auto k = derive_ike_keys(v.suite, seed, ni, nr, kSpiI, kSpiR);
    ASSERT_TRUE(k.has_value());
    EXPECT_EQ(k->sk_d.size(), v.d);
    EXPECT_EQ(k->sk_ai.size(), v.a);
    EXPECT_EQ(k->sk_ar.size(), v.a);
    EXPECT_EQ(k->sk_ei.size(), v.e);
    EXPECT_EQ(k->sk_er.size(), v.e);
    EXPECT_EQ(k->sk_pi.size(), v.d);
    EXPECT_EQ(k->sk_pr.size(), v.d);
    // The pieces are consecutive slices of prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
    const auto spi_i = kSpiI.bytes(), spi_r = kSpiR.bytes();
    auto stream = prf_plus(v.suite.prf, seed, {ni, nr, spi_i, spi_r}, 3 * v.d + 2 * v.a + 2 * v.e);
    ASSERT_TRUE(stream.has_value());
    std::string joined;
    for (const SecretBytes* s : {&k->sk_d, &k->sk_ai, &k->sk_ar, &k->sk_ei, &k->sk_er, &k->sk_pi,
                                 &k->sk_pr})
      joined += hex(s->view());
    EXPECT_EQ(joined, hex(stream->view()));
  }
}

TEST(Keymat, RejectsInconsistentSuites) {
  const auto seed = repeat(9, 32), n = repeat(1, 16);
  EXPECT_EQ(derive_ike_keys({.encr = EncrId::kAesGcm16, .encr_key_bits = 256,
                             .prf = PrfId::kHmacSha2_256, .integ = IntegId::kHmacSha2_256_128},
                            seed, n, n, kSpiI, kSpiR)
                .error(),
            CryptoError::kUnsupported);
  EXPECT_EQ(derive_ike_keys({.encr = EncrId::kAesCbc, .encr_key_bits = 128,
                             .prf = PrfId::kHmacSha2_256, .integ = IntegId::kNone},
                            seed, n, n, kSpiI, kSpiR)
                .error(),
            CryptoError::kUnsupported);
  EXPECT_EQ(derive_ike_keys({.encr = EncrId::kAesCbc, .encr_key_bits = 128,
                             .prf = PrfId::kAes128Xcbc, .integ = IntegId::kHmacSha1_96},
                            seed, n, n, kSpiI, kSpiR)
                .error(),
            CryptoError::kUnsupported);
}

// RFC 7296 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the old PRF.
TEST(Keymat, RekeySkeyseed) {
  const auto sk_d = repeat(4, 64), gir = repeat(5, 32), ni = repeat(6, 32), nr = repeat(7, 32);
  auto seed = rekey_skeyseed(PrfId::kHmacSha2_512, sk_d, gir, ni, nr);
  ASSERT_TRUE(seed.has_value());
  std::vector<std::uint8_t> data(gir);
  data.insert(data.end(), ni.begin(), ni.end());
  data.insert(data.end(), nr.begin(), nr.end());
  std::vector<std::uint8_t> expect(64);
  ASSERT_TRUE(prf(PrfId::kHmacSha2_512, sk_d, {data}, expect).has_value());
  EXPECT_EQ(hex(seed->view()), hex(expect));
}

// RFC 7296 2.17: KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr), i->r keys first.
TEST(Keymat, ChildKeymatWithPfs) {
  const auto sk_d = repeat(8, 32), gir = repeat(9, 32), ni = repeat(10, 32), nr = repeat(11, 32);
  const ChildSuite suite{.encr = EncrId::kAesCbc, .encr_key_bits = 128,
                         .integ = IntegId::kHmacSha2_256_128};
  auto k = derive_child_keys(PrfId::kHmacSha2_256, sk_d, suite, gir, ni, nr);
  ASSERT_TRUE(k.has_value());
  auto stream = prf_plus(PrfId::kHmacSha2_256, sk_d, {gir, ni, nr}, 2 * (16 + 32));
  ASSERT_TRUE(stream.has_value());
  EXPECT_EQ(hex(k->encr_i2r.view()) + hex(k->integ_i2r.view()) + hex(k->encr_r2i.view()) +
                hex(k->integ_r2i.view()),
            hex(stream->view()));
  EXPECT_EQ(k->encr_i2r.size(), 16u);
  EXPECT_EQ(k->integ_r2i.size(), 32u);
  // Without PFS the seed is Ni | Nr only, so the keys differ.
  auto no_pfs = derive_child_keys(PrfId::kHmacSha2_256, sk_d, suite, {}, ni, nr);
  ASSERT_TRUE(no_pfs.has_value());
  EXPECT_NE(hex(no_pfs->encr_i2r.view()), hex(k->encr_i2r.view()));
}

}  // namespace
}  // namespace answerd::crypto
