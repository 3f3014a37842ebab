// Signature AUTH values: method/scheme choice, signing and verification with
// OpenSSL EVP (see signature.h).
#include "ike/crypto/pki/signature.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>

#include "ike/crypto/pki/pki_impl.h"
#include "ike/crypto/transforms.h"

namespace answerd::crypto::pki {

namespace {

using ike::AuthMethod;
using ike::HashAlgorithm;
using S = SignatureScheme;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, ossl::Deleter<ECDSA_SIG_free>>;

const EVP_MD* md_of(HashAlgorithm h) {
  switch (h) {
    case HashAlgorithm::kSha1: return ossl::md_sha1();
    case HashAlgorithm::kSha2_256: return ossl::md_sha256();
    case HashAlgorithm::kSha2_384: return ossl::md_sha384();
    case HashAlgorithm::kSha2_512: return ossl::md_sha512();
    default: return nullptr;
  }
}

bool is_rsa(S s) { return s <= S::kRsaPssSha512; }
bool is_pss(S s) { return s >= S::kRsaPssSha256 && s <= S::kRsaPssSha512; }
bool is_ecdsa(S s) { return s >= S::kEcdsaSha256 && s <= S::kEcdsaSha512; }
bool is_ec_key(KeyType k) { return k >= KeyType::kEcdsaP256 && k <= KeyType::kEcdsaP521; }

bool scheme_fits_key(S s, KeyType k) {
  if (k == KeyType::kUnsupported) return false;
  if (is_rsa(s)) return k == KeyType::kRsa;
  if (is_ecdsa(s)) return is_ec_key(k);
  return k == KeyType::kEd25519;
}

// RFC 4754 3: the classic ECDSA methods bind curve, hash and the r|s size.
struct ClassicEcdsa {
  AuthMethod method;
  KeyType key;
  S scheme;
  std::size_t coord;  // octets of r and of s
};
constexpr ClassicEcdsa kClassic[] = {
    {AuthMethod::kEcdsa256, KeyType::kEcdsaP256, S::kEcdsaSha256, 32},
    {AuthMethod::kEcdsa384, KeyType::kEcdsaP384, S::kEcdsaSha384, 48},
    {AuthMethod::kEcdsa521, KeyType::kEcdsaP521, S::kEcdsaSha512, 66},
};

const ClassicEcdsa* classic_by_method(AuthMethod m) {
  for (const auto& c : kClassic)
    if (c.method == m) return &c;
  return nullptr;
}
const ClassicEcdsa* classic_by_key(KeyType k) {
  for (const auto& c : kClassic)
    if (c.key == k) return &c;
  return nullptr;
}

// Digest context set up for `p` (PSS padding, MGF1 hash, salt length).
answerd::expected<ossl::MdCtx, CryptoError> init_ctx(const EVP_PKEY* pkey, const SignatureParams& p,
                                                     bool sign) {
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return answerd::unexpected(CryptoError::kInternal);
  const EVP_MD* md = p.scheme == S::kEd25519 ? nullptr : md_of(scheme_hash(p.scheme));
  if (p.scheme != S::kEd25519 && !md) return answerd::unexpected(CryptoError::kUnsupported);
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  auto* key = const_cast<EVP_PKEY*>(pkey);  // OpenSSL takes a reference, does not modify
  const int ok = sign ? EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key)
                      : EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key);
  if (ok != 1) return answerd::unexpected(CryptoError::kInternal);
  if (is_pss(p.scheme)) {
    const EVP_MD* mgf = md_of(p.mgf1_hash);
    if (!mgf) return answerd::unexpected(CryptoError::kUnsupported);
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, static_cast<int>(p.salt_len)) != 1)
      return answerd::unexpected(CryptoError::kInternal);
  } else if (is_rsa(p.scheme)) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
      return answerd::unexpected(CryptoError::kInternal);
  }
  return ctx;
}

// ECDSA hashes the signed octets with the cached digest and signs or verifies the
// hash with EVP_PKEY_sign/verify: the same signature as EVP_DigestSign (FIPS 186-4
// 6.4 over H(octets)), without the per-call digest fetch and the copy of the whole
// signing context that EVP_DigestSignFinal makes in OpenSSL 3.0.
struct Prehashed {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> h{};
  std::size_t len = 0;
};
answerd::expected<Prehashed, CryptoError> prehash(const SignatureParams& p, Bytes data) {
  const EVP_MD* md = md_of(scheme_hash(p.scheme));
  if (!md) return answerd::unexpected(CryptoError::kUnsupported);
  Prehashed d;
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), d.h.data(), &n, md, nullptr) != 1)
    return answerd::unexpected(CryptoError::kInternal);
  d.len = n;
  return d;
}

answerd::expected<ossl::PkeyCtx, CryptoError> ecdsa_ctx(const EVP_PKEY* pkey, bool sign) {
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(pkey), nullptr));
  if (!ctx || (sign ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get())) != 1)
    return answerd::unexpected(CryptoError::kInternal);
  return ctx;
}

answerd::expected<std::vector<std::uint8_t>, CryptoError> raw_sign(const EVP_PKEY* pkey,
                                                                   const SignatureParams& p,
                                                                   Bytes data) {
  std::vector<std::uint8_t> sig(static_cast<std::size_t>(std::max(EVP_PKEY_get_size(pkey), 0)));
  std::size_t len = sig.size();
  if (is_ecdsa(p.scheme)) {
    auto d = prehash(p, data);
    if (!d) return answerd::unexpected(d.error());
    auto ctx = ecdsa_ctx(pkey, true);
    if (!ctx) return answerd::unexpected(ctx.error());
    if (EVP_PKEY_sign(ctx->get(), sig.data(), &len, d->h.data(), d->len) != 1)
      return answerd::unexpected(CryptoError::kInternal);
  } else {
    auto ctx = init_ctx(pkey, p, true);
    if (!ctx) return answerd::unexpected(ctx.error());
    if (EVP_DigestSign(ctx->get(), sig.data(), &len, data.data(), data.size()) != 1)
      return answerd::unexpected(CryptoError::kInternal);
  }
  sig.resize(len);
  return sig;
}

answerd::expected<void, CryptoError> raw_verify(const EVP_PKEY* pkey, const SignatureParams& p,
                                                Bytes data, Bytes sig) {
  int ok = 0;
  if (is_ecdsa(p.scheme)) {
    auto d = prehash(p, data);
    if (!d) return answerd::unexpected(d.error());
    auto ctx = ecdsa_ctx(pkey, false);
    if (!ctx) return answerd::unexpected(ctx.error());
    ok = EVP_PKEY_verify(ctx->get(), sig.data(), sig.size(), d->h.data(), d->len);
  } else {
    auto ctx = init_ctx(pkey, p, false);
    if (!ctx) return answerd::unexpected(ctx.error());
    ok = EVP_DigestVerify(ctx->get(), sig.data(), sig.size(), data.data(), data.size());
  }
  ERR_clear_error();  // a bad signature leaves decoding errors on the queue
  if (ok != 1) return answerd::unexpected(CryptoError::kAuthFailed);
  return {};
}

// DER Ecdsa-Sig-Value <-> r | s (RFC 4754 7).
std::vector<std::uint8_t> der_to_rs(Bytes der, std::size_t coord) {
  const unsigned char* p = der.data();
  EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return {};
  const BIGNUM *r = nullptr, *s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::vector<std::uint8_t> out(2 * coord);
  if (BN_bn2binpad(r, out.data(), static_cast<int>(coord)) < 0 ||
      BN_bn2binpad(s, out.data() + coord, static_cast<int>(coord)) < 0)
    return {};
  return out;
}

std::vector<std::uint8_t> rs_to_der(Bytes rs, std::size_t coord) {
  if (rs.size() != 2 * coord) return {};
  EcdsaSig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(rs.data(), static_cast<int>(coord), nullptr);
  BIGNUM* s = BN_bin2bn(rs.data() + coord, static_cast<int>(coord), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  unsigned char* out = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &out);
  if (len <= 0) return {};
  std::vector<std::uint8_t> v(out, out + len);
  OPENSSL_free(out);
  return v;
}

bool offered(std::span<const HashAlgorithm> list, HashAlgorithm h) {
  return std::find(list.begin(), list.end(), h) != list.end();
}

}  // namespace

answerd::expected<SignatureChoice, CryptoError> choose_signature(
    KeyType key, std::span<const HashAlgorithm> peer, bool rsa_pss) {
  if (key == KeyType::kUnsupported) return answerd::unexpected(CryptoError::kUnsupported);
  if (peer.empty()) {  // no SIGNATURE_HASH_ALGORITHMS: the classic methods
    if (key == KeyType::kRsa) return SignatureChoice{AuthMethod::kRsaSig, S::kRsaPkcs1Sha1};
    if (const auto* c = classic_by_key(key)) return SignatureChoice{c->method, c->scheme};
    return answerd::unexpected(CryptoError::kUnsupported);
  }
  if (key == KeyType::kEd25519) {
    if (!offered(peer, HashAlgorithm::kIdentity)) return answerd::unexpected(CryptoError::kUnsupported);
    return SignatureChoice{AuthMethod::kDigitalSignature, S::kEd25519};
  }
  std::vector<HashAlgorithm> prefs = {HashAlgorithm::kSha2_256, HashAlgorithm::kSha2_384,
                                      HashAlgorithm::kSha2_512};
  if (const auto* c = classic_by_key(key)) {  // the hash of the curve's strength first
    const HashAlgorithm own = scheme_hash(c->scheme);
    std::stable_partition(prefs.begin(), prefs.end(), [&](HashAlgorithm h) { return h == own; });
  }
  for (HashAlgorithm h : prefs) {
    if (!offered(peer, h)) continue;
    const int i = h == HashAlgorithm::kSha2_256 ? 0 : h == HashAlgorithm::kSha2_384 ? 1 : 2;
    S s = key == KeyType::kRsa ? static_cast<S>(static_cast<int>(rsa_pss ? S::kRsaPssSha256
                                                                         : S::kRsaPkcs1Sha256) + i)
                               : static_cast<S>(static_cast<int>(S::kEcdsaSha256) + i);
    return SignatureChoice{AuthMethod::kDigitalSignature, s};
  }
  return answerd::unexpected(CryptoError::kUnsupported);
}

answerd::expected<std::vector<std::uint8_t>, CryptoError> sign_auth(const PrivateKey& key,
                                                                    SignatureChoice choice,
                                                                    Bytes octets) {
  if (!scheme_fits_key(choice.scheme, key.type())) return answerd::unexpected(CryptoError::kKeyMismatch);
  // PSS as strongSwan sends it (RFC 7427 Appendix A): MGF1 with the same hash,
  // salt length = hash length.
  const EVP_MD* md = md_of(scheme_hash(choice.scheme));
  const SignatureParams p{.scheme = choice.scheme,
                          .mgf1_hash = scheme_hash(choice.scheme),
                          .salt_len = md ? static_cast<std::size_t>(EVP_MD_get_size(md)) : 0};
  if (choice.method == AuthMethod::kRsaSig) {
    if (choice.scheme != S::kRsaPkcs1Sha1) return answerd::unexpected(CryptoError::kUnsupported);
    return raw_sign(pkey_of(key), p, octets);
  }
  if (const auto* c = classic_by_method(choice.method)) {
    if (c->key != key.type() || c->scheme != choice.scheme) return answerd::unexpected(CryptoError::kKeyMismatch);
    auto der = raw_sign(pkey_of(key), p, octets);
    if (!der) return der;
    auto rs = der_to_rs(*der, c->coord);
    if (rs.empty()) return answerd::unexpected(CryptoError::kInternal);
    return rs;
  }
  if (choice.method != AuthMethod::kDigitalSignature || choice.scheme == S::kRsaPkcs1Sha1)
    return answerd::unexpected(CryptoError::kUnsupported);
  auto sig = raw_sign(pkey_of(key), p, octets);
  if (!sig) return sig;
  const auto alg = algorithm_identifier(choice.scheme);
  std::vector<std::uint8_t> out;
  out.reserve(1 + alg.size() + sig->size());
  out.push_back(static_cast<std::uint8_t>(alg.size()));
  out.insert(out.end(), alg.begin(), alg.end());
  out.insert(out.end(), sig->begin(), sig->end());
  return out;
}

answerd::expected<SignatureParams, CryptoError> verify_auth(const PublicKey& key, AuthMethod method,
                                                            Bytes auth_data, Bytes octets,
                                                            std::span<const HashAlgorithm> accepted) {
  if (method == AuthMethod::kRsaSig) {
    if (key.type() != KeyType::kRsa) return answerd::unexpected(CryptoError::kKeyMismatch);
    const SignatureParams p{.scheme = S::kRsaPkcs1Sha1};
    auto ok = raw_verify(pkey_of(key), p, octets, auth_data);
    if (!ok) return answerd::unexpected(ok.error());
    return p;
  }
  if (const auto* c = classic_by_method(method)) {
    if (c->key != key.type()) return answerd::unexpected(CryptoError::kKeyMismatch);
    const auto der = rs_to_der(auth_data, c->coord);
    if (der.empty()) return answerd::unexpected(CryptoError::kAuthFailed);
    const SignatureParams p{.scheme = c->scheme};
    auto ok = raw_verify(pkey_of(key), p, octets, der);
    if (!ok) return answerd::unexpected(ok.error());
    return p;
  }
  if (method != AuthMethod::kDigitalSignature) return answerd::unexpected(CryptoError::kUnsupported);
  auto d = parse_digital_signature(auth_data);
  if (!d) return answerd::unexpected(d.error());
  if (!offered(accepted, scheme_hash(d->params.scheme))) return answerd::unexpected(CryptoError::kUnsupported);
  if (!scheme_fits_key(d->params.scheme, key.type())) return answerd::unexpected(CryptoError::kKeyMismatch);
  auto ok = raw_verify(pkey_of(key), d->params, octets, d->signature);
  if (!ok) return answerd::unexpected(ok.error());
  return d->params;
}

answerd::expected<std::vector<std::uint8_t>, CryptoError> signed_octets(ike::PrfId prf_id,
                                                                        const SignedOctetsInput& in) {
  const std::size_t len = prf_output_size(prf_id);
  if (len == 0) return answerd::unexpected(CryptoError::kUnsupported);
  std::vector<std::uint8_t> out;
  out.reserve(in.real_message.size() + in.peer_nonce.size() + len);
  out.insert(out.end(), in.real_message.begin(), in.real_message.end());
  out.insert(out.end(), in.peer_nonce.begin(), in.peer_nonce.end());
  out.resize(out.size() + len);
  // MACedIDFor{I,R} = prf(SK_p, RestOfIDPayload)
  auto r = prf(prf_id, in.sk_p, {in.id_body}, std::span(out).last(len));
  if (!r) return answerd::unexpected(r.error());
  return out;
}

}  // namespace answerd::crypto::pki
