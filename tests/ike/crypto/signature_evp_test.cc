// ECDSA AUTH signatures (RFC 4754, RFC 7427) against OpenSSL's own EVP_DigestSign /
// EVP_DigestVerify, an independent path from the hash-then-sign one answerd uses:
// every curve with every hash (a digest shorter and longer than the curve's order),
// both directions, plus SHA-1 of the NAT detection hashes (FIPS 180-4 vectors).
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <vector>

#include "hex.h"
#include "ike/crypto/digest.h"
#include "ike/crypto/pki/signature.h"
#include "ike/crypto/pki/x509.h"

namespace answerd::crypto::pki {
namespace {

using ike::AuthMethod;
using S = SignatureScheme;
using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

const std::vector<std::uint8_t> kOctets(517, 0xa5);  // a RealMessage | Nonce | MACedID stand-in

PrivateKey ours(EVP_PKEY* k) {
  unsigned char* der = nullptr;
  const int len = i2d_PrivateKey(k, &der);
  auto key = load_private_key(std::vector<std::uint8_t>(der, der + len), "test key");
  OPENSSL_clear_free(der, static_cast<std::size_t>(len));
  EXPECT_TRUE(key.has_value());
  return std::move(*key);
}

const char* md_name(S s) {
  return s == S::kEcdsaSha256 ? "SHA2-256" : s == S::kEcdsaSha384 ? "SHA2-384" : "SHA2-512";
}

// DER Ecdsa-Sig-Value from OpenSSL's one-shot digest-and-sign.
std::vector<std::uint8_t> evp_sign(EVP_PKEY* k, S s) {
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::vector<std::uint8_t> sig(static_cast<std::size_t>(EVP_PKEY_get_size(k)));
  std::size_t len = sig.size();
  EXPECT_EQ(EVP_DigestSignInit_ex(ctx.get(), nullptr, md_name(s), nullptr, nullptr, k, nullptr), 1);
  EXPECT_EQ(EVP_DigestSign(ctx.get(), sig.data(), &len, kOctets.data(), kOctets.size()), 1);
  sig.resize(len);
  return sig;
}

bool evp_verify(EVP_PKEY* k, S s, Bytes der) {
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return EVP_DigestVerifyInit_ex(ctx.get(), nullptr, md_name(s), nullptr, nullptr, k, nullptr) == 1 &&
         EVP_DigestVerify(ctx.get(), der.data(), der.size(), kOctets.data(), kOctets.size()) == 1;
}

// Method 14: ASN.1 length | AlgorithmIdentifier | signature.
std::vector<std::uint8_t> method14(S s, Bytes sig) {
  const auto alg = algorithm_identifier(s);
  std::vector<std::uint8_t> out = {static_cast<std::uint8_t>(alg.size())};
  out.insert(out.end(), alg.begin(), alg.end());
  out.insert(out.end(), sig.begin(), sig.end());
  return out;
}

TEST(SignatureEvp, EcdsaMatchesDigestSignOnEveryCurveAndHash) {
  for (const char* curve : {"P-256", "P-384", "P-521"}) {
    Pkey k(EVP_EC_gen(curve), EVP_PKEY_free);
    ASSERT_TRUE(k);
    const PrivateKey key = ours(k.get());
    for (S s : {S::kEcdsaSha256, S::kEcdsaSha384, S::kEcdsaSha512}) {
      SCOPED_TRACE(std::string(curve) + " " + std::string(to_string(s)));
      const SignatureChoice choice{AuthMethod::kDigitalSignature, s};
      auto auth = sign_auth(key, choice, kOctets);
      ASSERT_TRUE(auth.has_value());
      const std::size_t alg_len = 1 + algorithm_identifier(s).size();
      ASSERT_GT(auth->size(), alg_len);
      EXPECT_TRUE(evp_verify(k.get(), s, Bytes(*auth).subspan(alg_len)));

      const auto theirs = method14(s, evp_sign(k.get(), s));
      EXPECT_TRUE(verify_auth(key.public_key(), AuthMethod::kDigitalSignature, theirs, kOctets).has_value());
      auto other = kOctets;
      other.back() ^= 1;
      EXPECT_EQ(verify_auth(key.public_key(), AuthMethod::kDigitalSignature, theirs, other).error(),
                CryptoError::kAuthFailed);
      auto bad = theirs;
      bad.back() ^= 1;  // last octet of s
      EXPECT_FALSE(verify_auth(key.public_key(), AuthMethod::kDigitalSignature, bad, kOctets).has_value());
    }
  }
}

// RFC 4754 methods 9/10/11: r | s, checked against DigestVerify after re-encoding.
TEST(SignatureEvp, ClassicEcdsaMethodsVerifyWithDigestVerify) {
  struct C {
    const char* curve;
    AuthMethod method;
    S scheme;
    int coord;
  };
  for (const C& c : {C{"P-256", AuthMethod::kEcdsa256, S::kEcdsaSha256, 32},
                     C{"P-384", AuthMethod::kEcdsa384, S::kEcdsaSha384, 48},
                     C{"P-521", AuthMethod::kEcdsa521, S::kEcdsaSha512, 66}}) {
    SCOPED_TRACE(c.curve);
    Pkey k(EVP_EC_gen(c.curve), EVP_PKEY_free);
    ASSERT_TRUE(k);
    auto rs = sign_auth(ours(k.get()), {c.method, c.scheme}, kOctets);
    ASSERT_TRUE(rs.has_value());
    ASSERT_EQ(rs->size(), static_cast<std::size_t>(2 * c.coord));
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), ECDSA_SIG_free);
    ASSERT_EQ(ECDSA_SIG_set0(sig.get(), BN_bin2bn(rs->data(), c.coord, nullptr),
                             BN_bin2bn(rs->data() + c.coord, c.coord, nullptr)),
              1);
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(sig.get(), &der);
    ASSERT_GT(len, 0);
    EXPECT_TRUE(evp_verify(k.get(), c.scheme, Bytes(der, static_cast<std::size_t>(len))));
    OPENSSL_free(der);
  }
}

// FIPS 180-4 / RFC 3174 test vectors, whole and split into parts.
TEST(Sha1, KnownAnswersWholeAndSplit) {
  const auto abc = test::ascii("abc");
  EXPECT_EQ(test::hex(sha1({abc})), "a9993e364706816aba3e25717850c26c9cd0d89d");
  const auto two = test::ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
  const Bytes b(two);
  EXPECT_EQ(test::hex(sha1({b.first(7), {}, b.subspan(7)})), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(test::hex(sha1({})), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

}  // namespace
}  // namespace answerd::crypto::pki
