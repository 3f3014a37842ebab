// HMAC known-answer tests: RFC 4231 (HMAC-SHA2, all cases), RFC 2202 (HMAC-SHA1),
// RFC 4868 2.7.2 (truncated integrity transforms with full-size keys), and the
// prf+ construction of RFC 7296 2.13 against an unrolled computation.
#include "ike/crypto/prf.h"

#include <gtest/gtest.h>

#include "hex.h"
#include "ike/crypto/transforms.h"

namespace answerd::crypto {
namespace {

using ike::IntegId;
using ike::PrfId;
using test::ascii;
using test::hex;
using test::repeat;
using test::unhex;

std::vector<std::uint8_t> seq(std::uint8_t from, std::uint8_t to) {
  std::vector<std::uint8_t> v;
  for (int i = from; i <= to; ++i) v.push_back(static_cast<std::uint8_t>(i));
  return v;
}

struct HmacVector {
  const char* name;
  std::vector<std::uint8_t> key;
  std::vector<std::uint8_t> data;
  const char* sha256;
  const char* sha384;
  const char* sha512;
  std::size_t truncate = 0;  // compare only the first bytes (RFC 4231 case 5)
};

const std::string kCase7 =
    "This is a test using a larger than block-size key and a larger than block-size data. "
    "The key needs to be hashed before being used by the HMAC algorithm.";

// RFC 4231 section 4.
const HmacVector kRfc4231[] = {
    {.name = "case1", .key = repeat(0x0b, 20), .data = ascii("Hi There"),
     .sha256 = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
     .sha384 = "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
               "faea9ea9076ede7f4af152e8b2fa9cb6",
     .sha512 = "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
               "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
    {.name = "case2", .key = ascii("Jefe"), .data = ascii("what do ya want for nothing?"),
     .sha256 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
     .sha384 = "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
               "8e2240ca5e69e2c78b3239ecfab21649",
     .sha512 = "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
               "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
    {.name = "case3", .key = repeat(0xaa, 20), .data = repeat(0xdd, 50),
     .sha256 = "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
     .sha384 = "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
               "2a5ab39dc13814b94e3ab6e101a34f27",
     .sha512 = "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
               "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
    {.name = "case4", .key = seq(1, 25), .data = repeat(0xcd, 50),
     .sha256 = "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
     .sha384 = "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
               "6801dd23c4a7d679ccf8a386c674cffb",
     .sha512 = "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
               "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
    {.name = "case5", .key = repeat(0x0c, 20), .data = ascii("Test With Truncation"),
     .sha256 = "a3b6167473100ee06e0c796c2955552b",
     .sha384 = "3abf34c3503b2a23a46efc619baef897",
     .sha512 = "415fad6271580a531d4179bc891d87a6",
     .truncate = 16},
    {.name = "case6", .key = repeat(0xaa, 131),
     .data = ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
     .sha256 = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
     .sha384 = "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
               "0c2ef6ab4030fe8296248df163f44952",
     .sha512 = "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
               "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
    {.name = "case7", .key = repeat(0xaa, 131), .data = ascii(kCase7),
     .sha256 = "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
     .sha384 = "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
               "a678cc31e799176d3860e6110c46523e",
     .sha512 = "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
               "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
};

std::string prf_hex(PrfId id, const HmacVector& v, std::size_t truncate) {
  std::vector<std::uint8_t> out(prf_output_size(id));
  EXPECT_TRUE(prf(id, v.key, {v.data}, out).has_value());
  if (truncate) out.resize(truncate);
  return hex(out);
}

TEST(Hmac, Rfc4231AllCases) {
  for (const HmacVector& v : kRfc4231) {
    SCOPED_TRACE(v.name);
    EXPECT_EQ(prf_hex(PrfId::kHmacSha2_256, v, v.truncate), v.sha256);
    EXPECT_EQ(prf_hex(PrfId::kHmacSha2_384, v, v.truncate), v.sha384);
    EXPECT_EQ(prf_hex(PrfId::kHmacSha2_512, v, v.truncate), v.sha512);
  }
}

TEST(Hmac, SplitInputEqualsConcatenation) {
  const HmacVector& v = kRfc4231[6];
  std::vector<std::uint8_t> out(32);
  const Bytes d(v.data);
  ASSERT_TRUE(prf(PrfId::kHmacSha2_256, v.key, {d.first(5), {}, d.subspan(5, 60), d.subspan(65)},
                  out)
                  .has_value());
  EXPECT_EQ(hex(out), v.sha256);
}

// RFC 2202 section 3 (HMAC-SHA-1), as PRF_HMAC_SHA1; case 5 also as HMAC-SHA1-96.
TEST(Hmac, Rfc2202Sha1) {
  struct V {
    std::vector<std::uint8_t> key, data;
    const char* digest;
  };
  const V vs[] = {
      {repeat(0x0b, 20), ascii("Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00"},
      {ascii("Jefe"), ascii("what do ya want for nothing?"),
       "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
      {repeat(0xaa, 20), repeat(0xdd, 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
      {seq(1, 25), repeat(0xcd, 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
      {repeat(0x0c, 20), ascii("Test With Truncation"), "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
      {repeat(0xaa, 80), ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
       "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
      {repeat(0xaa, 80),
       ascii("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"),
       "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
  };
  for (const V& v : vs) {
    std::vector<std::uint8_t> out(20);
    ASSERT_TRUE(prf(PrfId::kHmacSha1, v.key, {v.data}, out).has_value());
    EXPECT_EQ(hex(out), v.digest);
  }
  std::vector<std::uint8_t> icv(12);
  ASSERT_TRUE(integ_mac(IntegId::kHmacSha1_96, repeat(0x0c, 20), {vs[4].data}, icv).has_value());
  EXPECT_EQ(hex(icv), "4c1a03424b55e07fe7f27be1");
}

// RFC 4868 2.7.2: authenticator test vectors, key length = hash output length.
TEST(Integ, Rfc4868TruncatedMacs) {
  struct V {
    IntegId integ;
    std::vector<std::uint8_t> key, data;
    const char* icv;
  };
  const auto jefe = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += "Jefe";
    return ascii(s);
  };
  const V vs[] = {
      {IntegId::kHmacSha2_256_128, repeat(0x0b, 32), ascii("Hi There"),
       "198a607eb44bfbc69903a0f1cf2bbdc5"},
      {IntegId::kHmacSha2_384_192, repeat(0x0b, 48), ascii("Hi There"),
       "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973"},
      {IntegId::kHmacSha2_512_256, repeat(0x0b, 64), ascii("Hi There"),
       "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8"},
      {IntegId::kHmacSha2_256_128, jefe(8), ascii("what do ya want for nothing?"),
       "167f928588c5cc2eef8e3093caa0e87c"},
      {IntegId::kHmacSha2_384_192, jefe(12), ascii("what do ya want for nothing?"),
       "2c7353974f1842fd66d53c452ca42122b28c0b594cfb184d"},
      {IntegId::kHmacSha2_512_256, jefe(16), ascii("what do ya want for nothing?"),
       "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454"},
      {IntegId::kHmacSha2_256_128, repeat(0xaa, 32), repeat(0xdd, 50),
       "cdcb1220d1ecccea91e53aba3092f962"},
      {IntegId::kHmacSha2_384_192, repeat(0xaa, 48), repeat(0xdd, 50),
       "809f439be00274321d4a538652164b53554a508184a0c316"},
      {IntegId::kHmacSha2_512_256, repeat(0xaa, 64), repeat(0xdd, 50),
       "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8"},
  };
  for (const V& v : vs) {
    std::vector<std::uint8_t> icv(integ_icv_size(v.integ));
    ASSERT_TRUE(integ_mac(v.integ, v.key, {v.data}, icv).has_value());
    EXPECT_EQ(hex(icv), v.icv);
  }
  std::vector<std::uint8_t> icv(16);
  EXPECT_EQ(integ_mac(IntegId::kHmacSha2_256_128, repeat(0x0b, 20), {}, icv).error(),
            CryptoError::kBadKeyLength);
  EXPECT_EQ(integ_mac(IntegId::kAesXcbc96, repeat(0x0b, 16), {}, icv).error(),
            CryptoError::kUnsupported);
}

// RFC 7296 2.13 written out: T1 = prf(K, S|0x01), T2 = prf(K, T1|S|0x02), ...
TEST(PrfPlus, MatchesTheRfcConstruction) {
  for (PrfId id : {PrfId::kHmacSha1, PrfId::kHmacSha2_256, PrfId::kHmacSha2_384,
                   PrfId::kHmacSha2_512}) {
    SCOPED_TRACE(static_cast<int>(id));
    const auto key = repeat(0x42, 37);
    const auto s1 = ascii("seed part one|");
    const auto s2 = repeat(0x99, 70);
    const std::size_t n = prf_output_size(id);
    std::vector<std::uint8_t> expect, t;
    for (std::uint8_t i = 1; expect.size() < 3 * n + 5; ++i) {
      std::vector<std::uint8_t> next(n);
      ASSERT_TRUE(prf(id, key, {t, s1, s2, Bytes(&i, 1)}, next).has_value());
      expect.insert(expect.end(), next.begin(), next.end());
      t = next;
    }
    expect.resize(3 * n + 5);
    auto got = prf_plus(id, key, {s1, s2}, 3 * n + 5);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(hex(got->view()), hex(expect));
  }
}

TEST(PrfPlus, RefusesMoreThan255Blocks) {
  EXPECT_TRUE(prf_plus(PrfId::kHmacSha2_256, repeat(1, 32), {}, 255 * 32).has_value());
  EXPECT_EQ(prf_plus(PrfId::kHmacSha2_256, repeat(1, 32), {}, 255 * 32 + 1).error(),
            CryptoError::kBadKeyLength);
}

}  // namespace
}  // namespace answerd::crypto
