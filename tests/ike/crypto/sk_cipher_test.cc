// SK payload protection: the RFC 7634 Appendix B IKEv2 example for AEAD end to end,
// the RFC 7296 3.14 layout for AES-CBC + HMAC checked against the primitives, and
// rejection of tampered, truncated and badly padded messages for every suite.
#include "ike/crypto/sk_cipher.h"

#include <gtest/gtest.h>

#include "hex.h"
#include "ike/crypto/cipher.h"
#include "ike/crypto/transforms.h"

namespace answerd::crypto {
namespace {

using ike::EncrId;
using ike::IntegId;
using test::hex;
using test::repeat;
using test::unhex;

// RFC 7634 Appendix B: an INFORMATIONAL request protected with ChaCha20-Poly1305.
const char kB_Key[] = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f a0a1a2a3";
const char kB_Aad[] =
    "c0c1c2c3c4c5c6c7d0d1d2d3d4d5d6d7 2e202500 00000009 00000045 29000029";
const char kB_Iv[] = "1011121314151617";
const char kB_Sealed[] = "1011121314151617 610394701f8d017f7c12924889 6b71bfe25236efd7cdc67066906315b2";
const char kB_Payloads[] = "0000000c000040010000000a";  // a Notify payload; pad length 0 follows

TEST(SkCipher, Rfc7634AppendixBOpen) {
  DeterministicRandom rng(1);
  auto sk = make_sk_cipher(EncrId::kChacha20Poly1305, 0, IntegId::kNone, unhex(kB_Key), {}, rng);
  ASSERT_TRUE(sk.has_value());
  auto plain = (*sk)->open(unhex(kB_Aad), unhex(kB_Sealed));
  ASSERT_TRUE(plain.has_value()) << to_string(plain.error());
  EXPECT_EQ(hex(*plain), kB_Payloads);
}

TEST(SkCipher, Rfc7634AppendixBSeal) {
  ScriptedRandom rng(unhex(kB_Iv));  // the AEAD IV counter starts at the scripted value
  auto sk = make_sk_cipher(EncrId::kChacha20Poly1305, 0, IntegId::kNone, unhex(kB_Key), {}, rng);
  ASSERT_TRUE(sk.has_value());
  EXPECT_EQ((*sk)->sealed_size(12), unhex(kB_Sealed).size());
  auto sealed = (*sk)->seal(unhex(kB_Aad), unhex(kB_Payloads));
  ASSERT_TRUE(sealed.has_value());
  EXPECT_EQ(hex(*sealed), hex(unhex(kB_Sealed)));
  // The next message uses the next IV.
  auto second = (*sk)->seal(unhex(kB_Aad), unhex(kB_Payloads));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(hex(std::span(*second).first(8)), "1011121314151618");
}

// RFC 7296 3.14: IV | E(payloads | padding | pad length) | ICV, ICV over aad | IV | ct.
TEST(SkCipher, CbcHmacLayout) {
  const auto ekey = repeat(0x11, 32), akey = repeat(0x22, 32), iv = repeat(0x33, 16);
  const auto aad = repeat(0x44, 32), payloads = repeat(0x55, 30);
  ScriptedRandom rng(iv);
  auto sk = make_sk_cipher(EncrId::kAesCbc, 256, IntegId::kHmacSha2_256_128, ekey, akey, rng);
  ASSERT_TRUE(sk.has_value());
  EXPECT_EQ((*sk)->iv_size(), 16u);
  EXPECT_EQ((*sk)->icv_size(), 16u);
  ASSERT_EQ((*sk)->sealed_size(30), 16u + 32u + 16u);
  auto sealed = (*sk)->seal(aad, payloads);
  ASSERT_TRUE(sealed.has_value());
  ASSERT_EQ(sealed->size(), 64u);
  const std::span<const std::uint8_t> s(*sealed);
  EXPECT_EQ(hex(s.first(16)), hex(iv));

  std::vector<std::uint8_t> plain(32);
  ASSERT_TRUE(aes_cbc_decrypt(ekey, iv, s.subspan(16, 32), plain).has_value());
  auto expect_plain = payloads;
  expect_plain.push_back(0x00);  // one byte of padding
  expect_plain.push_back(0x01);  // Pad Length
  EXPECT_EQ(hex(plain), hex(expect_plain));

  std::vector<std::uint8_t> icv(16);
  ASSERT_TRUE(integ_mac(IntegId::kHmacSha2_256_128, akey, {aad, s.first(48)}, icv).has_value());
  EXPECT_EQ(hex(s.subspan(48)), hex(icv));

  auto back = (*sk)->open(aad, *sealed);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(hex(*back), hex(payloads));
}

struct Suite {
  const char* name;
  EncrId encr;
  std::uint16_t bits;
  IntegId integ;
};
void PrintTo(const Suite& v, std::ostream* os) { *os << v.name; }


const Suite kSuites[] = {
    {"aes128gcm16", EncrId::kAesGcm16, 128, IntegId::kNone},
    {"aes256gcm16", EncrId::kAesGcm16, 256, IntegId::kNone},
    {"chacha20poly1305", EncrId::kChacha20Poly1305, 0, IntegId::kNone},
    {"aes128_sha1_96", EncrId::kAesCbc, 128, IntegId::kHmacSha1_96},
    {"aes128_sha256_128", EncrId::kAesCbc, 128, IntegId::kHmacSha2_256_128},
    {"aes256_sha384_192", EncrId::kAesCbc, 256, IntegId::kHmacSha2_384_192},
    {"aes256_sha512_256", EncrId::kAesCbc, 256, IntegId::kHmacSha2_512_256},
};

class SkSuite : public ::testing::TestWithParam<Suite> {
 protected:
  std::unique_ptr<SkCipher> make(Random& rng) {
    const Suite& s = GetParam();
    const auto ekey = repeat(0x5a, *encr_keymat_size(s.encr, s.bits));
    const auto akey = repeat(0xa5, integ_key_size(s.integ));
    auto sk = make_sk_cipher(s.encr, s.bits, s.integ, ekey, akey, rng);
    EXPECT_TRUE(sk.has_value());
    return sk ? std::move(*sk) : nullptr;
  }
};

TEST_P(SkSuite, RoundTripsEveryLengthAndRejectsTampering) {
  DeterministicRandom rng(7);
  auto sk = make(rng);
  ASSERT_TRUE(sk);
  const auto aad = repeat(0x01, 32);
  for (std::size_t n : {0u, 1u, 14u, 15u, 16u, 17u, 100u, 1200u}) {
    SCOPED_TRACE(n);
    std::vector<std::uint8_t> payloads(n);
    for (std::size_t i = 0; i < n; ++i) payloads[i] = static_cast<std::uint8_t>(i * 7);
    auto sealed = sk->seal(aad, payloads);
    ASSERT_TRUE(sealed.has_value());
    EXPECT_EQ(sealed->size(), sk->sealed_size(n));
    auto back = sk->open(aad, *sealed);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(hex(*back), hex(payloads));

    for (std::size_t pos : {std::size_t{0}, sk->iv_size(), sealed->size() - 1}) {
      auto bad = *sealed;
      bad[pos] ^= 0x04;  // IV, first ciphertext byte, last ICV byte
      EXPECT_EQ(sk->open(aad, bad).error(), CryptoError::kIntegrityCheckFailed);
    }
    auto bad_aad = aad;
    bad_aad[3] ^= 1;  // header bytes are covered too
    EXPECT_EQ(sk->open(bad_aad, *sealed).error(), CryptoError::kIntegrityCheckFailed);
  }
  EXPECT_EQ(sk->open(aad, std::vector<std::uint8_t>(sk->iv_size() + sk->icv_size())).error(),
            CryptoError::kBadCiphertext);
  EXPECT_EQ(sk->open(aad, {}).error(), CryptoError::kBadCiphertext);
}

INSTANTIATE_TEST_SUITE_P(Suites, SkSuite, ::testing::ValuesIn(kSuites),
                         [](const auto& tpi) { return std::string(tpi.param.name); });

TEST(SkCipher, RejectsPadLengthBeyondTheData) {
  // An authentic message whose decrypted Pad Length claims more than was sent.
  ScriptedRandom rng(unhex(kB_Iv));
  const auto key = unhex(kB_Key);
  auto aead = Aead::create(EncrId::kChacha20Poly1305, 0, key);
  ASSERT_TRUE(aead.has_value());
  const auto plain = unhex("0000 05");  // 2 bytes, then Pad Length 5
  std::vector<std::uint8_t> sealed = unhex(kB_Iv);
  sealed.resize(8 + plain.size() + 16);
  ASSERT_TRUE(aead->encrypt(unhex(kB_Iv), unhex(kB_Aad), plain,
                            std::span(sealed).subspan(8))
                  .has_value());
  auto sk = make_sk_cipher(EncrId::kChacha20Poly1305, 0, IntegId::kNone, key, {}, rng);
  ASSERT_TRUE(sk.has_value());
  EXPECT_EQ((*sk)->open(unhex(kB_Aad), sealed).error(), CryptoError::kBadPadding);
}

TEST(SkCipher, RejectsBadCombinations) {
  DeterministicRandom rng(9);
  EXPECT_EQ(make_sk_cipher(EncrId::kAesGcm16, 128, IntegId::kHmacSha2_256_128, repeat(1, 20),
                           repeat(1, 32), rng)
                .error(),
            CryptoError::kUnsupported);
  EXPECT_EQ(make_sk_cipher(EncrId::kAesCbc, 128, IntegId::kNone, repeat(1, 16), {}, rng).error(),
            CryptoError::kUnsupported);
  EXPECT_EQ(make_sk_cipher(EncrId::kAesCbc, 128, IntegId::kHmacSha2_256_128, repeat(1, 32),
                           repeat(1, 32), rng)
                .error(),
            CryptoError::kBadKeyLength);
  EXPECT_EQ(make_sk_cipher(EncrId::k3Des, 192, IntegId::kHmacSha1_96, repeat(1, 24),
                           repeat(1, 20), rng)
                .error(),
            CryptoError::kUnsupported);
}

}  // namespace
}  // namespace answerd::crypto
