// Known-answer tests of the raw ciphers: AES-GCM test cases 3, 4, 15, 16 of the GCM
// specification (McGrew & Viega; 96-bit IV as salt | explicit IV, SP 800-38D),
// ChaCha20-Poly1305 RFC 8439 2.8.2, AES-CBC NIST SP 800-38A F.2.1 / F.2.5.
#include "ike/crypto/cipher.h"

#include <gtest/gtest.h>

#include "hex.h"

namespace answerd::crypto {
namespace {

using ike::EncrId;
using test::hex;
using test::unhex;

struct AeadVector {
  const char* name;
  EncrId encr;
  std::uint16_t bits;
  const char* key_salt;
  const char* iv;
  const char* aad;
  const char* plain;
  const char* cipher_tag;
};
void PrintTo(const AeadVector& v, std::ostream* os) { *os << v.name; }


const char kGcmPlain[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
const char kGcmPlain60[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
const char kGcmAad[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

const AeadVector kAead[] = {
    {.name = "gcm_tc3_aes128", .encr = EncrId::kAesGcm16, .bits = 128,
     .key_salt = "feffe9928665731c6d6a8f9467308308 cafebabe", .iv = "facedbaddecaf888",
     .aad = "", .plain = kGcmPlain,
     .cipher_tag = "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                   "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
                   "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {.name = "gcm_tc4_aes128_aad", .encr = EncrId::kAesGcm16, .bits = 128,
     .key_salt = "feffe9928665731c6d6a8f9467308308 cafebabe", .iv = "facedbaddecaf888",
     .aad = kGcmAad, .plain = kGcmPlain60,
     .cipher_tag = "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                   "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
                   "5bc94fbc3221a5db94fae95ae7121a47"},
    {.name = "gcm_tc15_aes256", .encr = EncrId::kAesGcm16, .bits = 256,
     .key_salt = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308 cafebabe",
     .iv = "facedbaddecaf888", .aad = "", .plain = kGcmPlain,
     .cipher_tag = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                   "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
                   "b094dac5d93471bdec1a502270e3cc6c"},
    {.name = "gcm_tc16_aes256_aad", .encr = EncrId::kAesGcm16, .bits = 256,
     .key_salt = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308 cafebabe",
     .iv = "facedbaddecaf888", .aad = kGcmAad, .plain = kGcmPlain60,
     .cipher_tag = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                   "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
                   "76fc6ece0f4e1768cddf8853bb2d551b"},
    // RFC 8439 2.8.2: nonce 07000000 | 4041424344454647 = salt | IV.
    {.name = "chacha20poly1305_rfc8439", .encr = EncrId::kChacha20Poly1305, .bits = 0,
     .key_salt = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f 07000000",
     .iv = "4041424344454647", .aad = "50515253c0c1c2c3c4c5c6c7",
     .plain = "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
              "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
              "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
              "637265656e20776f756c642062652069742e",
     .cipher_tag = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                   "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                   "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                   "3ff4def08e4b7a9de576d26586cec64b6116"
                   "1ae10b594f09e26a7e902ecbd0600691"},
};

class AeadKat : public ::testing::TestWithParam<AeadVector> {};

TEST_P(AeadKat, EncryptsAndDecrypts) {
  const AeadVector& v = GetParam();
  auto aead = Aead::create(v.encr, v.bits, unhex(v.key_salt));
  ASSERT_TRUE(aead.has_value());
  const auto plain = unhex(v.plain), aad = unhex(v.aad), iv = unhex(v.iv);
  std::vector<std::uint8_t> out(plain.size() + Aead::kTagSize);
  ASSERT_TRUE(aead->encrypt(iv, aad, plain, out).has_value());
  EXPECT_EQ(hex(out), hex(unhex(v.cipher_tag)));

  std::vector<std::uint8_t> back(plain.size());
  ASSERT_TRUE(aead->decrypt(iv, aad, out, back).has_value());
  EXPECT_EQ(hex(back), hex(plain));

  auto bad = out;
  bad[0] ^= 0x01;  // ciphertext
  EXPECT_EQ(aead->decrypt(iv, aad, bad, back).error(), CryptoError::kIntegrityCheckFailed);
  bad = out;
  bad.back() ^= 0x80;  // tag
  EXPECT_EQ(aead->decrypt(iv, aad, bad, back).error(), CryptoError::kIntegrityCheckFailed);
  auto bad_aad = aad;
  bad_aad.push_back(0);
  EXPECT_EQ(aead->decrypt(iv, bad_aad, out, back).error(), CryptoError::kIntegrityCheckFailed);
}

INSTANTIATE_TEST_SUITE_P(Vectors, AeadKat, ::testing::ValuesIn(kAead),
                         [](const auto& tpi) { return std::string(tpi.param.name); });

TEST(Aead, RejectsWrongKeySizes) {
  EXPECT_EQ(Aead::create(EncrId::kAesGcm16, 128, std::vector<std::uint8_t>(16)).error(),
            CryptoError::kBadKeyLength);  // salt missing
  EXPECT_EQ(Aead::create(EncrId::kAesGcm16, 192, std::vector<std::uint8_t>(28)).error(),
            CryptoError::kUnsupported);
  EXPECT_EQ(Aead::create(EncrId::kAesCbc, 128, std::vector<std::uint8_t>(20)).error(),
            CryptoError::kUnsupported);
}

// NIST SP 800-38A F.2.1 (CBC-AES128) and F.2.5 (CBC-AES256).
TEST(AesCbc, Sp800_38aVectors) {
  const auto iv = unhex("000102030405060708090a0b0c0d0e0f");
  const auto plain = unhex(
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
  struct V {
    const char *key, *ct;
  };
  const V vs[] = {
      {"2b7e151628aed2a6abf7158809cf4f3c",
       "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
       "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"},
      {"603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
       "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
       "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"},
  };
  for (const V& v : vs) {
    std::vector<std::uint8_t> ct(plain.size()), back(plain.size());
    ASSERT_TRUE(aes_cbc_encrypt(unhex(v.key), iv, plain, ct).has_value());
    EXPECT_EQ(hex(ct), v.ct);
    ASSERT_TRUE(aes_cbc_decrypt(unhex(v.key), iv, ct, back).has_value());
    EXPECT_EQ(hex(back), hex(plain));
  }
  std::vector<std::uint8_t> out(15);
  EXPECT_EQ(aes_cbc_encrypt(unhex(vs[0].key), iv, std::span(plain).first(15), out).error(),
            CryptoError::kBadCiphertext);
}

}  // namespace
}  // namespace answerd::crypto
