// Signature AUTH (RFC 7296 2.15, RFC 7427, RFC 4754, RFC 8420) with real keys made
// at run time by the openssl tool: AlgorithmIdentifier known answers (RFC 7427
// Appendix A; RFC 8420 for Ed25519), parser rejections, method choice, sign/verify
// round trips for every key type and method with the negative cases (wrong key,
// tampered octets, wrong method, wrong hash), signatures made by the openssl tool
// verified by us and ours by it, key loading and its errors, and the signed octets.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "hex.h"
#include "ike/crypto/pki/keys.h"
#include "ike/crypto/pki/signature.h"
#include "ike/crypto/psk_auth.h"
#include "pki_test_support.h"

namespace answerd::crypto::pki {
namespace {

using ike::AuthMethod;
using ike::HashAlgorithm;
using S = SignatureScheme;
using test::hex;
using test::unhex;

struct AlgIdVector {
  S scheme;
  const char* der;
};
// RFC 7427 Appendix A (A.1 PKCS#1 v1.5, A.3 ECDSA, A.4.3 RSASSA-PSS with SHA-256,
// the SHA-384/512 PSS forms alike), RFC 8420 3 (Ed25519).
const AlgIdVector kAlgIds[] = {
    {.scheme = S::kRsaPkcs1Sha1, .der = "300d06092a864886f70d0101050500"},
    {.scheme = S::kRsaPkcs1Sha256, .der = "300d06092a864886f70d01010b0500"},
    {.scheme = S::kRsaPkcs1Sha384, .der = "300d06092a864886f70d01010c0500"},
    {.scheme = S::kRsaPkcs1Sha512, .der = "300d06092a864886f70d01010d0500"},
    {.scheme = S::kRsaPssSha256,
     .der = "304106092a864886f70d01010a3034a00f300d0609608648016503040201"
            "0500a11c301a06092a864886f70d010108300d0609608648016503040201"
            "0500a203020120"},
    {.scheme = S::kRsaPssSha384,
     .der = "304106092a864886f70d01010a3034a00f300d0609608648016503040202"
            "0500a11c301a06092a864886f70d010108300d0609608648016503040202"
            "0500a203020130"},
    {.scheme = S::kRsaPssSha512,
     .der = "304106092a864886f70d01010a3034a00f300d0609608648016503040203"
            "0500a11c301a06092a864886f70d010108300d0609608648016503040203"
            "0500a203020140"},
    {.scheme = S::kEcdsaSha256, .der = "300a06082a8648ce3d040302"},
    {.scheme = S::kEcdsaSha384, .der = "300a06082a8648ce3d040303"},
    {.scheme = S::kEcdsaSha512, .der = "300a06082a8648ce3d040304"},
    {.scheme = S::kEd25519, .der = "300506032b6570"},
};

TEST(PkiAlgorithmIdentifier, EncodesAndParsesRfc7427AppendixA) {
  for (const auto& v : kAlgIds) {
    SCOPED_TRACE(std::string(to_string(v.scheme)));
    EXPECT_EQ(hex(algorithm_identifier(v.scheme)), v.der);
    auto p = parse_algorithm_identifier(unhex(v.der));
    ASSERT_TRUE(p.has_value()) << to_string(p.error());
    EXPECT_EQ(p->scheme, v.scheme);
    if (v.scheme >= S::kRsaPssSha256 && v.scheme <= S::kRsaPssSha512) {
      EXPECT_EQ(p->mgf1_hash, scheme_hash(v.scheme));
      EXPECT_EQ(p->salt_len, v.scheme == S::kRsaPssSha256 ? 32u : v.scheme == S::kRsaPssSha384 ? 48u : 64u);
    }
  }
}

TEST(PkiAlgorithmIdentifier, ParsesVariantsAndRejectsBrokenOnes) {
  // PKCS#1 with absent parameters (RFC 4055 allows both forms).
  EXPECT_EQ(parse_algorithm_identifier(unhex("300b06092a864886f70d01010b"))->scheme, S::kRsaPkcs1Sha256);
  // PSS with SHA-256, MGF1-SHA-256 and a 20-octet salt (default omitted).
  auto pss = parse_algorithm_identifier(unhex(
      "303c06092a864886f70d01010a302fa00f300d06096086480165030402010500"
      "a11c301a06092a864886f70d010108300d06096086480165030402010500"));
  ASSERT_TRUE(pss.has_value());
  EXPECT_EQ(pss->salt_len, 20u);
  const std::map<std::string, CryptoError> bad = {
      {"300d06092a864886f70d01010a3000", CryptoError::kUnsupported},     // PSS defaults: SHA-1
      {"300d06092a864886f70d01010e0500", CryptoError::kUnsupported},     // sha224WithRSA
      {"300c06082a8648ce3d0403020500", CryptoError::kBadEncoding},       // ECDSA with NULL
      {"300d06092a864886f70d01010b05", CryptoError::kBadEncoding},       // truncated
      {"300d06092a864886f70d01010b050000", CryptoError::kBadEncoding},   // trailing octet
      {"3081050603 2b6570", CryptoError::kBadEncoding},                 // non-minimal length
      {"300506032b657000", CryptoError::kBadEncoding},                   // trailing octet
      {"300704032b65700500", CryptoError::kBadEncoding},                 // not an OID
      {"", CryptoError::kBadEncoding},
      {"3080", CryptoError::kBadEncoding},                               // indefinite length
      // PSS, trailer field 2
      {"304606092a864886f70d01010a3039a00f300d06096086480165030402010500a11c301a06092a86"
       "4886f70d010108300d06096086480165030402010500a203020120a303020102",
       CryptoError::kBadEncoding},
  };
  for (const auto& [der, err] : bad) {
    auto p = parse_algorithm_identifier(unhex(der));
    ASSERT_FALSE(p.has_value()) << der;
    EXPECT_EQ(p.error(), err) << der;
  }
  // RFC 7427 3 framing: ASN.1 length octet beyond the data, empty signature.
  EXPECT_FALSE(parse_digital_signature(unhex("07300506032b6570")).has_value());
  EXPECT_FALSE(parse_digital_signature(unhex("08300506032b6570aa")).has_value());
  EXPECT_FALSE(parse_digital_signature(unhex("00aa")).has_value());
  const auto data = unhex("07300506032b6570aabb");
  auto d = parse_digital_signature(data);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(hex(d->signature), "aabb");
}

TEST(PkiSignatureChoice, FollowsPeerHashesAndKeyType) {
  const std::vector<HashAlgorithm> all(supported_signature_hashes().begin(),
                                       supported_signature_hashes().end());
  const std::vector<HashAlgorithm> sha512_only = {HashAlgorithm::kSha2_512};
  const std::vector<HashAlgorithm> none;
  struct Case {
    KeyType key;
    const std::vector<HashAlgorithm>* peer;
    bool pss;
    AuthMethod method;
    S scheme;
  };
  const Case cases[] = {
      {KeyType::kRsa, &all, false, AuthMethod::kDigitalSignature, S::kRsaPkcs1Sha256},
      {KeyType::kRsa, &all, true, AuthMethod::kDigitalSignature, S::kRsaPssSha256},
      {KeyType::kRsa, &sha512_only, true, AuthMethod::kDigitalSignature, S::kRsaPssSha512},
      {KeyType::kRsa, &none, false, AuthMethod::kRsaSig, S::kRsaPkcs1Sha1},
      {KeyType::kEcdsaP256, &all, false, AuthMethod::kDigitalSignature, S::kEcdsaSha256},
      {KeyType::kEcdsaP384, &all, false, AuthMethod::kDigitalSignature, S::kEcdsaSha384},
      {KeyType::kEcdsaP521, &all, false, AuthMethod::kDigitalSignature, S::kEcdsaSha512},
      {KeyType::kEcdsaP256, &sha512_only, false, AuthMethod::kDigitalSignature, S::kEcdsaSha512},
      {KeyType::kEcdsaP256, &none, false, AuthMethod::kEcdsa256, S::kEcdsaSha256},
      {KeyType::kEcdsaP384, &none, false, AuthMethod::kEcdsa384, S::kEcdsaSha384},
      {KeyType::kEcdsaP521, &none, false, AuthMethod::kEcdsa521, S::kEcdsaSha512},
      {KeyType::kEd25519, &all, false, AuthMethod::kDigitalSignature, S::kEd25519},
  };
  for (const auto& c : cases) {
    auto ch = choose_signature(c.key, *c.peer, c.pss);
    ASSERT_TRUE(ch.has_value()) << to_string(c.key);
    EXPECT_EQ(ch->method, c.method) << to_string(c.key);
    EXPECT_EQ(ch->scheme, c.scheme) << to_string(c.key);
  }
  EXPECT_EQ(choose_signature(KeyType::kEd25519, none).error(), CryptoError::kUnsupported);
  EXPECT_EQ(choose_signature(KeyType::kEd25519, sha512_only).error(), CryptoError::kUnsupported);
  const std::vector<HashAlgorithm> sha1_only = {HashAlgorithm::kSha1};
  EXPECT_EQ(choose_signature(KeyType::kRsa, sha1_only).error(), CryptoError::kUnsupported);
}

// Keys of every type, made once by the openssl tool.
class PkiSignatureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::ScratchDir();
    for (const char* k : {"rsa", "p256", "p384", "p521", "ed25519"})
      for (const char* n : {"a", "b"}) {
        const std::string name = std::string(k) + "-" + n;
        ASSERT_TRUE(test::make_key(dir_->path(), name, k));
        auto key = load_private_key_file(*dir_ / (name + ".key"));
        ASSERT_TRUE(key.has_value()) << key.error().message;
        keys_->emplace(name, std::move(*key));
      }
  }
  static void TearDownTestSuite() {
    keys_->clear();
    delete dir_;
  }
  static const PrivateKey& key(const std::string& name) { return keys_->at(name); }
  static inline test::ScratchDir* dir_ = nullptr;
  static inline auto* keys_ = new std::map<std::string, PrivateKey>();
};

const std::vector<std::uint8_t> kOctets = test::ascii("IKE_SA_INIT | Nr | prf(SK_pi, IDi')");

struct RoundTrip {
  const char* key;
  AuthMethod method;
  S scheme;
  std::size_t fixed_size;  // r|s size for the classic ECDSA methods, 0 otherwise
};
const RoundTrip kRoundTrips[] = {
    {"rsa", AuthMethod::kRsaSig, S::kRsaPkcs1Sha1, 256},
    {"rsa", AuthMethod::kDigitalSignature, S::kRsaPkcs1Sha256, 0},
    {"rsa", AuthMethod::kDigitalSignature, S::kRsaPkcs1Sha384, 0},
    {"rsa", AuthMethod::kDigitalSignature, S::kRsaPkcs1Sha512, 0},
    {"rsa", AuthMethod::kDigitalSignature, S::kRsaPssSha256, 0},
    {"rsa", AuthMethod::kDigitalSignature, S::kRsaPssSha384, 0},
    {"rsa", AuthMethod::kDigitalSignature, S::kRsaPssSha512, 0},
    {"p256", AuthMethod::kEcdsa256, S::kEcdsaSha256, 64},
    {"p384", AuthMethod::kEcdsa384, S::kEcdsaSha384, 96},
    {"p521", AuthMethod::kEcdsa521, S::kEcdsaSha512, 132},
    {"p256", AuthMethod::kDigitalSignature, S::kEcdsaSha256, 0},
    {"p384", AuthMethod::kDigitalSignature, S::kEcdsaSha384, 0},
    {"p521", AuthMethod::kDigitalSignature, S::kEcdsaSha512, 0},
    {"p256", AuthMethod::kDigitalSignature, S::kEcdsaSha512, 0},
    {"ed25519", AuthMethod::kDigitalSignature, S::kEd25519, 0},
};

TEST_F(PkiSignatureTest, RoundTripsAndRejectsForgeries) {
  for (const auto& rt : kRoundTrips) {
    const std::string what = std::string(rt.key) + " " + std::string(to_string(rt.scheme)) +
                             " method " + std::to_string(static_cast<int>(rt.method));
    SCOPED_TRACE(what);
    const PrivateKey& k = key(std::string(rt.key) + "-a");
    const PublicKey pub = k.public_key();
    auto sig = sign_auth(k, {rt.method, rt.scheme}, kOctets);
    ASSERT_TRUE(sig.has_value()) << to_string(sig.error());
    if (rt.fixed_size) {
      EXPECT_EQ(sig->size(), rt.fixed_size);
    }
    if (rt.method == AuthMethod::kDigitalSignature) {
      const auto alg = algorithm_identifier(rt.scheme);
      ASSERT_EQ((*sig)[0], alg.size());
      EXPECT_EQ(hex(std::span(*sig).subspan(1, alg.size())), hex(alg));
    }
    auto ok = verify_auth(pub, rt.method, *sig, kOctets);
    ASSERT_TRUE(ok.has_value()) << to_string(ok.error());
    EXPECT_EQ(ok->scheme, rt.scheme);

    // Tampered signed octets and tampered signature.
    auto octets = kOctets;
    octets[3] ^= 1;
    EXPECT_EQ(verify_auth(pub, rt.method, *sig, octets).error(), CryptoError::kAuthFailed);
    auto bad_sig = *sig;
    bad_sig.back() ^= 0x40;
    EXPECT_FALSE(verify_auth(pub, rt.method, bad_sig, kOctets).has_value());
    // Another key of the same type.
    EXPECT_EQ(verify_auth(key(std::string(rt.key) + "-b").public_key(), rt.method, *sig, kOctets).error(),
              CryptoError::kAuthFailed);
    // A key of another type: the method does not fit.
    const char* other = std::string(rt.key) == "rsa" ? "p256-a" : "rsa-a";
    EXPECT_EQ(verify_auth(key(other).public_key(), rt.method, *sig, kOctets).error(),
              CryptoError::kKeyMismatch);
    // Signature data under another method.
    const AuthMethod wrong = rt.method == AuthMethod::kDigitalSignature ? AuthMethod::kRsaSig
                                                                       : AuthMethod::kDigitalSignature;
    EXPECT_FALSE(verify_auth(pub, wrong, *sig, kOctets).has_value());
    EXPECT_EQ(verify_auth(pub, AuthMethod::kSharedKeyMic, *sig, kOctets).error(), CryptoError::kUnsupported);
  }
}

TEST_F(PkiSignatureTest, WrongHashAndUnacceptedHashFail) {
  const PrivateKey& k = key("rsa-a");
  auto sig = sign_auth(k, {AuthMethod::kDigitalSignature, S::kRsaPkcs1Sha256}, kOctets);
  ASSERT_TRUE(sig.has_value());
  // Relabel the signature as sha384WithRSAEncryption: same length, other hash.
  auto relabeled = *sig;
  relabeled[1 + 12] = 0x0c;  // last OID octet
  ASSERT_EQ(parse_digital_signature(relabeled)->params.scheme, S::kRsaPkcs1Sha384);
  EXPECT_EQ(verify_auth(k.public_key(), AuthMethod::kDigitalSignature, relabeled, kOctets).error(),
            CryptoError::kAuthFailed);
  // PKCS#1 signature relabeled as PSS.
  const auto pss = algorithm_identifier(S::kRsaPssSha256);
  std::vector<std::uint8_t> as_pss = {static_cast<std::uint8_t>(pss.size())};
  as_pss.insert(as_pss.end(), pss.begin(), pss.end());
  as_pss.insert(as_pss.end(), sig->begin() + 16, sig->end());
  EXPECT_EQ(verify_auth(k.public_key(), AuthMethod::kDigitalSignature, as_pss, kOctets).error(),
            CryptoError::kAuthFailed);
  // A hash we did not advertise.
  const std::vector<HashAlgorithm> only384 = {HashAlgorithm::kSha2_384};
  EXPECT_EQ(verify_auth(k.public_key(), AuthMethod::kDigitalSignature, *sig, kOctets, only384).error(),
            CryptoError::kUnsupported);
  // Signing with a scheme that does not fit the key.
  EXPECT_EQ(sign_auth(k, {AuthMethod::kDigitalSignature, S::kEd25519}, kOctets).error(),
            CryptoError::kKeyMismatch);
  EXPECT_EQ(sign_auth(key("p256-a"), {AuthMethod::kEcdsa384, S::kEcdsaSha384}, kOctets).error(),
            CryptoError::kKeyMismatch);
  // Classic ECDSA r|s of the wrong size.
  auto rs = sign_auth(key("p256-a"), {AuthMethod::kEcdsa256, S::kEcdsaSha256}, kOctets);
  ASSERT_TRUE(rs.has_value());
  rs->pop_back();
  EXPECT_EQ(verify_auth(key("p256-a").public_key(), AuthMethod::kEcdsa256, *rs, kOctets).error(),
            CryptoError::kAuthFailed);
}

// Interoperability with an independent signer/verifier: the openssl tool.
TEST_F(PkiSignatureTest, OpensslToolSignaturesVerifyBothWays) {
  const auto& d = *dir_;
  std::ofstream(d / "octets", std::ios::binary).write(reinterpret_cast<const char*>(kOctets.data()),
                                                      static_cast<std::streamsize>(kOctets.size()));
  struct Case {
    const char* key;
    S scheme;
    const char* dgst;
  };
  const Case cases[] = {
      {"rsa-a", S::kRsaPkcs1Sha384, "openssl dgst -sha384"},
      {"rsa-a", S::kRsaPssSha256,
       "openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256"},
      {"p384-a", S::kEcdsaSha384, "openssl dgst -sha384"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(to_string(c.scheme)));
    ASSERT_TRUE(test::sh(d.path(), std::string(c.dgst) + " -sign " + c.key + ".key -out tool.sig octets"));
    const auto tool_sig = test::slurp(d / "tool.sig");
    const auto alg = algorithm_identifier(c.scheme);
    std::vector<std::uint8_t> auth = {static_cast<std::uint8_t>(alg.size())};
    auth.insert(auth.end(), alg.begin(), alg.end());
    auth.insert(auth.end(), tool_sig.begin(), tool_sig.end());
    EXPECT_TRUE(verify_auth(key(c.key).public_key(), AuthMethod::kDigitalSignature, auth, kOctets).has_value());

    auto ours = sign_auth(key(c.key), {AuthMethod::kDigitalSignature, c.scheme}, kOctets);
    ASSERT_TRUE(ours.has_value());
    std::ofstream(d / "ours.sig", std::ios::binary)
        .write(reinterpret_cast<const char*>(ours->data() + 1 + alg.size()),
               static_cast<std::streamsize>(ours->size() - 1 - alg.size()));
    ASSERT_TRUE(test::sh(d.path(), std::string("openssl pkey -in ") + c.key + ".key -pubout -out pub.pem"));
    EXPECT_TRUE(test::sh(d.path(), std::string(c.dgst) + " -verify pub.pem -signature ours.sig octets"));
  }
  // Ed25519 (pure EdDSA over the octets, RFC 8420).
  ASSERT_TRUE(test::sh(d.path(), "openssl pkeyutl -sign -rawin -inkey ed25519-a.key -in octets -out ed.sig"));
  const auto ed = test::slurp(d / "ed.sig");
  std::vector<std::uint8_t> auth = test::unhex("07300506032b6570");
  auth.insert(auth.end(), ed.begin(), ed.end());
  EXPECT_TRUE(verify_auth(key("ed25519-a").public_key(), AuthMethod::kDigitalSignature, auth, kOctets).has_value());
}

TEST_F(PkiSignatureTest, LoadsPemAndDerKeysAndNamesFilesInErrors) {
  const auto& d = *dir_;
  ASSERT_TRUE(test::sh(d.path(), "openssl pkey -in p384-a.key -outform DER -out p384.der"
                                 " && openssl pkey -in p384-a.key -pubout -outform DER -out p384.pub.der"
                                 " && openssl pkey -in p384-a.key -pubout -out p384.pub.pem"
                                 " && openssl ec -in p384-a.key -out p384.trad.pem"
                                 " && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.key"
                                 " && openssl pkey -in rsa-a.key -aes128 -passout pass:x -out enc.key"
                                 " && echo garbage > garbage.key"));
  const PublicKey ref = key("p384-a").public_key();
  for (const char* f : {"p384.der", "p384.trad.pem"}) {
    auto k = load_private_key_file(d / f);
    ASSERT_TRUE(k.has_value()) << k.error().message;
    EXPECT_EQ(k->type(), KeyType::kEcdsaP384);
    EXPECT_TRUE(k->public_key() == ref);
  }
  for (const char* f : {"p384.pub.der", "p384.pub.pem"}) {
    auto k = load_public_key_file(d / f);
    ASSERT_TRUE(k.has_value()) << k.error().message;
    EXPECT_TRUE(*k == ref);
    EXPECT_EQ(k->bits(), 384u);
  }
  EXPECT_EQ(key("rsa-a").type(), KeyType::kRsa);
  EXPECT_EQ(key("p521-a").type(), KeyType::kEcdsaP521);
  EXPECT_EQ(key("ed25519-a").type(), KeyType::kEd25519);
  EXPECT_FALSE(key("p256-a").public_key() == key("p256-b").public_key());

  const auto missing = load_private_key_file(d / "missing.key");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, CryptoError::kIo);
  EXPECT_NE(missing.error().message.find("missing.key"), std::string::npos) << missing.error().message;
  const auto garbage = load_private_key_file(d / "garbage.key");
  ASSERT_FALSE(garbage.has_value());
  EXPECT_EQ(garbage.error().code, CryptoError::kBadEncoding);
  EXPECT_NE(garbage.error().message.find("garbage.key: "), std::string::npos) << garbage.error().message;
  EXPECT_EQ(load_private_key_file(d / "rsa1024.key").error().code, CryptoError::kUnsupported);
  EXPECT_FALSE(load_private_key_file(d / "enc.key").has_value());  // no passphrase prompt
  EXPECT_FALSE(load_public_key_file(d / "p384.der").has_value());  // a private key is not SPKI
}

TEST(PkiSignedOctets, IsRealMessageNonceAndMacedIdAsInPskAuth) {
  const auto msg = test::ascii("IKE_SA_INIT message"), nonce = test::repeat(0x5a, 32),
             sk_p = test::repeat(0x11, 32), id = test::unhex("02000000") ;
  const SignedOctetsInput in{.real_message = msg, .peer_nonce = nonce, .sk_p = sk_p, .id_body = id};
  auto octets = signed_octets(ike::PrfId::kHmacSha2_256, in);
  ASSERT_TRUE(octets.has_value());
  ASSERT_EQ(octets->size(), msg.size() + nonce.size() + 32);
  std::vector<std::uint8_t> maced(32);
  ASSERT_TRUE(prf(ike::PrfId::kHmacSha2_256, sk_p, {id}, maced).has_value());
  EXPECT_EQ(hex(std::span(*octets).last(32)), hex(maced));
  EXPECT_EQ(hex(std::span(*octets).first(msg.size())), hex(msg));
  // The PSK AUTH value is prf(prf(PSK, "Key Pad for IKEv2"), the same octets).
  const auto psk = test::ascii("secret");
  std::vector<std::uint8_t> pad_key(32), auth(32);
  const auto pad = test::ascii("Key Pad for IKEv2");
  ASSERT_TRUE(prf(ike::PrfId::kHmacSha2_256, psk, {pad}, pad_key).has_value());
  ASSERT_TRUE(prf(ike::PrfId::kHmacSha2_256, pad_key, {*octets}, auth).has_value());
  EXPECT_EQ(hex(auth), hex(*psk_auth(ike::PrfId::kHmacSha2_256, psk, in)));
}

}  // namespace
}  // namespace answerd::crypto::pki
