// Known-answer and validation tests of the key exchange groups:
// RFC 7748 (X25519 incl. iterated), RFC 8031, RFC 5903 (ECP 256/384/521), and
// MODP 14/15/16 agreement both ways plus the RFC 6989 public value checks.
#include "ike/crypto/key_exchange.h"

#include <gtest/gtest.h>

#include <string_view>

#include "hex.h"
#include "ike/crypto/transforms.h"

namespace answerd::crypto {
namespace {

using ike::DhGroup;
using test::hex;
using test::unhex;

std::unique_ptr<KeyExchange> make_fixed(DhGroup g, std::string_view priv_hex) {
  ScriptedRandom rng(unhex(priv_hex));
  auto ke = make_key_exchange(g, rng);
  EXPECT_TRUE(ke.has_value());
  EXPECT_EQ(rng.remaining(), 0u);  // the whole private value came from the script
  return ke ? std::move(*ke) : nullptr;
}

struct DhVector {
  const char* name;
  DhGroup group;
  const char* i;     // initiator private value
  const char* gi;    // initiator public value as carried in KE
  const char* r;
  const char* gr;
  const char* gir;   // shared secret
};
void PrintTo(const DhVector& v, std::ostream* os) { *os << v.name; }


// RFC 5903 section 8 (ECP), RFC 7748 6.1 and RFC 8031 (Curve25519).
const DhVector kDhVectors[] = {
    {.name = "rfc5903_ecp256",
     .group = DhGroup::kEcp256,
     .i = "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
     .gi = "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
           "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
     .r = "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
     .gr = "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
           "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
     .gir = "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE"},
    {.name = "rfc5903_ecp384",
     .group = DhGroup::kEcp384,
     .i = "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655"
          "E35B538041E649EE3FAEF896783AB194",
     .gi = "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6"
           "DE3AC808ACB4BDB4C88732AEE95F41AA9482ED1FC0EEB9CAFC4984625CCFC23F"
           "65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A81C",
     .r = "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942"
          "E0308312916B8ED2960E4BD55A7448FC",
     .gr = "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D"
           "0D1AC43A0336DEF96FDA41D0774A3571DCFBEC7AACF3196472169E838430367F"
           "66EEBE3C6E70C416DD5F0C68759DD1FFF83FA40142209DFF5EAAD96DB9E6386C",
     .gir = "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4"
            "D603135569B9E9D09CF5D4A270F59746"},
    {.name = "rfc5903_ecp521",
     .group = DhGroup::kEcp521,
     .i = "0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A0"
          "95AA85A30FE1C2952C6771D937BA9777F5957B2639BAB072462F68C27A57382D"
          "4A52",
     .gi = "0015417E84DBF28C0AD3C278713349DC7DF153C897A1891BD98BAB4357C9ECBE"
           "E1E3BF42E00B8E380AEAE57C2D107564941885942AF5A7F4601723C4195D176C"
           "ED3E017CAE20B6641D2EEB695786D8C946146239D099E18E1D5A514C739D7CB4"
           "A10AD8A788015AC405D7799DC75E7B7D5B6CF2261A6A7F1507438BF01BEB6CA3"
           "926F9582",
     .r = "0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E"
          "9C677D600B343757A3BDBF2A3163E4C2F869CCA7458AA4A4EFFC311F5CB151685"
          "EB9",
     .gr = "00D0B3975AC4B799F5BEA16D5E13E9AF971D5E9B984C9F39728B5E5739735A21"
           "9B97C356436ADC6E95BB0352F6BE64A6C2912D4EF2D0433CED2B6171640012D9"
           "460F015C68226383956E3BD066E797B623C27CE0EAC2F551A10C2C724D9852077"
           "B87220B6536C5C408A1D2AEBB8E86D678AE49CB57091F4732296579AB44FCD17F"
           "0FC56A",
     .gir = "01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04"
            "D1427E73CA4BAA240A34786859810C06B3C715A3A8CC3151F2BEE417996D19F3"
            "DDEA"},
    {.name = "rfc7748_x25519",
     .group = DhGroup::kCurve25519,
     .i = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
     .gi = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
     .r = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
     .gr = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
     .gir = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"},
    {.name = "rfc8031_x25519",
     .group = DhGroup::kCurve25519,
     .i = "75 1f b4 30 86 55 b4 76 b6 78 9b 73 25 f9 ea 8c dd d1 6a 58 53 3f f6 d9 e6 00 09 46 4a 5f 9d 94",
     .gi = "48 d5 dd d4 06 12 57 ba 16 6f a3 f9 bb db 74 f1 a4 e8 1c 08 93 84 fa 77 f7 90 70 9f 0d fb c7 66",
     .r = "0a 54 64 52 53 29 0d 60 dd ad d0 e0 30 ba cd 9e 55 01 ef dc 22 07 55 a1 e9 78 f1 b8 39 a0 56 88",
     .gr = "0b e7 c1 f5 aa d8 7d 7e 44 86 62 67 32 98 a4 43 47 8b 85 97 45 17 9e af 56 4c 79 c0 ef 6e ee 25",
     .gir = "c7 49 50 60 7a 12 32 7f 32 04 d9 4b 68 25 bf b0 68 b7 f8 31 9a 9e 37 08 ed 3d 43 ce 81 30 c9 50"},
};

class DhKat : public ::testing::TestWithParam<DhVector> {};

TEST_P(DhKat, PublicValuesAndSharedSecretMatchTheRfc) {
  const DhVector& v = GetParam();
  auto ki = make_fixed(v.group, v.i);
  auto kr = make_fixed(v.group, v.r);
  ASSERT_TRUE(ki && kr);
  EXPECT_EQ(hex(ki->public_value()), hex(unhex(v.gi)));
  EXPECT_EQ(hex(kr->public_value()), hex(unhex(v.gr)));
  EXPECT_EQ(ki->public_value().size(), ke_public_size(v.group));
  auto s_r = kr->shared_secret(unhex(v.gi));  // we are the responder
  auto s_i = ki->shared_secret(unhex(v.gr));
  ASSERT_TRUE(s_r.has_value());
  ASSERT_TRUE(s_i.has_value());
  EXPECT_EQ(hex(s_r->view()), hex(unhex(v.gir)));
  EXPECT_EQ(hex(s_i->view()), hex(unhex(v.gir)));
  EXPECT_EQ(s_r->size(), ke_shared_size(v.group));
}

INSTANTIATE_TEST_SUITE_P(Rfc, DhKat, ::testing::ValuesIn(kDhVectors),
                         [](const auto& tpi) { return std::string(tpi.param.name); });

// RFC 7748 5.2: k = u = 9, then k' = X25519(k, u), u' = k; after 1 and 1000 rounds.
TEST(X25519, Rfc7748IteratedOneAndThousand) {
  std::vector<std::uint8_t> k(32, 0), u(32, 0);
  k[0] = 9;
  u[0] = 9;
  for (int i = 1; i <= 1000; ++i) {
    ScriptedRandom rng(k);
    auto ke = make_key_exchange(DhGroup::kCurve25519, rng);
    ASSERT_TRUE(ke.has_value());
    auto out = (*ke)->shared_secret(u);
    ASSERT_TRUE(out.has_value());
    u = k;
    k.assign(out->view().begin(), out->view().end());
    if (i == 1) {
      EXPECT_EQ(hex(k), "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
    }
  }
  EXPECT_EQ(hex(k), "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
}

// RFC 7748 5.2 single scalar multiplications (u with the top bit set is masked).
TEST(X25519, Rfc7748ScalarMultVectors) {
  struct V {
    const char *k, *u, *out;
  };
  const V vs[] = {
      {.k = "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
       .u = "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
       .out = "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
      {.k = "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
       .u = "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
       .out = "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
  };
  for (const V& v : vs) {
    auto ke = make_fixed(DhGroup::kCurve25519, v.k);
    auto out = ke->shared_secret(unhex(v.u));
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(hex(out->view()), v.out);
  }
}

TEST(X25519, RejectsLowOrderPointsAndBadLength) {
  DeterministicRandom rng(1);
  auto ke = make_key_exchange(DhGroup::kCurve25519, rng);
  ASSERT_TRUE(ke.has_value());
  std::vector<std::uint8_t> zero(32, 0), one(32, 0);
  one[0] = 1;
  EXPECT_EQ((*ke)->shared_secret(zero).error(), CryptoError::kInvalidPublicValue);
  EXPECT_EQ((*ke)->shared_secret(one).error(), CryptoError::kInvalidPublicValue);
  // Order-8 point from the RFC 7748 / libsodium blocklist.
  EXPECT_EQ((*ke)->shared_secret(
                  unhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"))
                .error(),
            CryptoError::kInvalidPublicValue);
  EXPECT_EQ((*ke)->shared_secret(std::vector<std::uint8_t>(31, 9)).error(),
            CryptoError::kBadPublicValueLength);
}

TEST(Ecp, RejectsInvalidPeerValues) {
  for (DhGroup g : {DhGroup::kEcp256, DhGroup::kEcp384, DhGroup::kEcp521}) {
    SCOPED_TRACE(static_cast<int>(g));
    DeterministicRandom rng(2);
    auto a = make_key_exchange(g, rng);
    auto b = make_key_exchange(g, rng);
    ASSERT_TRUE(a && b);
    std::vector<std::uint8_t> good((*b)->public_value().begin(), (*b)->public_value().end());
    auto s1 = (*a)->shared_secret(good);
    auto s2 = (*b)->shared_secret((*a)->public_value());
    ASSERT_TRUE(s1 && s2);
    EXPECT_TRUE(s1->equals(s2->view()));

    auto off_curve = good;
    off_curve.back() ^= 1;  // y changed: not on the curve
    EXPECT_EQ((*a)->shared_secret(off_curve).error(), CryptoError::kInvalidPublicValue);
    std::vector<std::uint8_t> zeros(good.size(), 0);  // (0,0) is not on any of them
    EXPECT_EQ((*a)->shared_secret(zeros).error(), CryptoError::kInvalidPublicValue);
    std::vector<std::uint8_t> big(good.size(), 0xff);  // coordinates >= p
    EXPECT_EQ((*a)->shared_secret(big).error(), CryptoError::kInvalidPublicValue);
    std::vector<std::uint8_t> with_prefix(good.size() + 1, 0x04);  // SEC1 form is wrong here
    std::copy(good.begin(), good.end(), with_prefix.begin() + 1);
    EXPECT_EQ((*a)->shared_secret(with_prefix).error(), CryptoError::kBadPublicValueLength);
    EXPECT_EQ((*a)->shared_secret(std::span(good).first(good.size() - 1)).error(),
              CryptoError::kBadPublicValueLength);
  }
}

// Big-endian len(p)-byte encoding of p + delta (delta in {-1, 0, 1}).
std::vector<std::uint8_t> prime_plus(std::span<const std::uint8_t> p, int delta) {
  std::vector<std::uint8_t> v(p.begin(), p.end());
  if (delta < 0) {
    for (auto it = v.rbegin(); it != v.rend() && (*it)-- == 0; ++it) {}
  } else if (delta > 0) {
    for (auto it = v.rbegin(); it != v.rend() && ++(*it) == 0; ++it) {}
  }
  return v;
}

// RFC 3526 primes (as published) for the out-of-range checks.
const char kModp2048Prime[] =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF";

TEST(Modp, AgreesBothWaysForEveryGroup) {
  for (DhGroup g : {DhGroup::kModp2048, DhGroup::kModp3072, DhGroup::kModp4096}) {
    SCOPED_TRACE(static_cast<int>(g));
    DeterministicRandom rng(3);
    auto a = make_key_exchange(g, rng);
    auto b = make_key_exchange(g, rng);
    ASSERT_TRUE(a && b);
    EXPECT_EQ((*a)->public_value().size(), ke_public_size(g));
    EXPECT_NE(hex((*a)->public_value()), hex((*b)->public_value()));
    auto s1 = (*a)->shared_secret((*b)->public_value());
    auto s2 = (*b)->shared_secret((*a)->public_value());
    ASSERT_TRUE(s1 && s2);
    EXPECT_EQ(s1->size(), ke_shared_size(g));
    EXPECT_TRUE(s1->equals(s2->view()));
  }
}

// With private exponent 1 the public value is the generator itself, padded.
TEST(Modp, PublicValueIsGToThePrivateExponent) {
  std::vector<std::uint8_t> one(32, 0);
  one.back() = 1;
  ScriptedRandom rng(one);
  auto ke = make_key_exchange(DhGroup::kModp2048, rng);
  ASSERT_TRUE(ke.has_value());
  std::vector<std::uint8_t> two(256, 0);
  two.back() = 2;
  EXPECT_EQ(hex((*ke)->public_value()), hex(two));
  // and (peer y)^1 = y: shared secret equals the peer value.
  auto peer = unhex(kModp2048Prime);
  peer.back() = 0x7f;  // some y in range
  auto s = (*ke)->shared_secret(peer);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(hex(s->view()), hex(peer));
}

TEST(Modp, Rfc6989RejectsZeroOnePMinusOneAndP) {
  DeterministicRandom rng(4);
  auto ke = make_key_exchange(DhGroup::kModp2048, rng);
  ASSERT_TRUE(ke.has_value());
  const auto p = unhex(kModp2048Prime);
  std::vector<std::uint8_t> zero(256, 0), one(256, 0), two(256, 0);
  one.back() = 1;
  two.back() = 2;
  EXPECT_EQ((*ke)->shared_secret(zero).error(), CryptoError::kInvalidPublicValue);
  EXPECT_EQ((*ke)->shared_secret(one).error(), CryptoError::kInvalidPublicValue);
  EXPECT_EQ((*ke)->shared_secret(prime_plus(p, -1)).error(), CryptoError::kInvalidPublicValue);
  EXPECT_EQ((*ke)->shared_secret(p).error(), CryptoError::kInvalidPublicValue);
  EXPECT_EQ((*ke)->shared_secret(prime_plus(p, 1)).error(), CryptoError::kInvalidPublicValue);
  EXPECT_TRUE((*ke)->shared_secret(two).has_value());
  EXPECT_TRUE((*ke)->shared_secret(prime_plus(prime_plus(p, -1), -1)).has_value());  // p-2
  EXPECT_EQ((*ke)->shared_secret(std::span(two).first(255)).error(),
            CryptoError::kBadPublicValueLength);
}

TEST(KeyExchange, UnsupportedGroups) {
  DeterministicRandom rng(5);
  for (DhGroup g : {DhGroup::kNone, DhGroup::kModp1024, DhGroup::kCurve448, DhGroup::kBrainpool256}) {
    EXPECT_EQ(make_key_exchange(g, rng).error(), CryptoError::kUnsupported);
    EXPECT_FALSE(is_supported(g));
  }
}

}  // namespace
}  // namespace answerd::crypto
