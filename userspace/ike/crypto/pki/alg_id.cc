// RFC 7427 AlgorithmIdentifiers of the Digital Signature AUTH method: encoding of
// the ones we send, parsing of the ones peers send (untrusted input, fuzzed).
#include <algorithm>
#include <array>
#include <initializer_list>
#include <optional>

#include "ike/crypto/pki/der.h"
#include "ike/crypto/pki/signature.h"

namespace answerd::crypto::pki {

namespace {

using ike::HashAlgorithm;
using S = SignatureScheme;
using Oid = std::span<const std::uint8_t>;

// Content octets of the OIDs (RFC 8017 A.2.4, RFC 5758 3.2, RFC 8410 3, RFC 5754 2).
constexpr std::uint8_t kPkcs1Prefix[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01};
constexpr std::uint8_t kEcdsaPrefix[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03};
constexpr std::uint8_t kHashPrefix[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02};
constexpr std::uint8_t kEd25519Oid[] = {0x2b, 0x65, 0x70};
constexpr std::uint8_t kSha1Oid[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};
constexpr std::uint8_t kRsaPss = 0x0a, kMgf1 = 0x08;  // last octet after kPkcs1Prefix

bool has_prefix(Oid oid, Oid prefix, std::size_t extra) {
  return oid.size() == prefix.size() + extra && std::equal(prefix.begin(), prefix.end(), oid.begin());
}

// The last OID octet of sha256/384/512 under kHashPrefix.
std::optional<HashAlgorithm> hash_from_oid(Oid oid) {
  if (std::equal(oid.begin(), oid.end(), std::begin(kSha1Oid), std::end(kSha1Oid)))
    return HashAlgorithm::kSha1;
  if (!has_prefix(oid, kHashPrefix, 1)) return std::nullopt;
  switch (oid.back()) {
    case 1: return HashAlgorithm::kSha2_256;
    case 2: return HashAlgorithm::kSha2_384;
    case 3: return HashAlgorithm::kSha2_512;
    default: return std::nullopt;
  }
}

std::size_t hash_len(HashAlgorithm h) {
  switch (h) {
    case HashAlgorithm::kSha1: return 20;
    case HashAlgorithm::kSha2_256: return 32;
    case HashAlgorithm::kSha2_384: return 48;
    case HashAlgorithm::kSha2_512: return 64;
    default: return 0;
  }
}

// Parameters absent, or (when null_ok) exactly one NULL.
bool params_absent(der::Reader& r, bool null_ok) {
  if (r.empty()) return true;
  auto n = r.expect(der::kNull);
  return null_ok && n && n->value.empty() && r.empty();
}

// A hash AlgorithmIdentifier: SEQUENCE { OID, NULL or absent }.
std::optional<HashAlgorithm> parse_hash_alg(Bytes der) {
  auto seq = der::single(der, der::kSequence);
  if (!seq) return std::nullopt;
  der::Reader r(seq->value);
  auto oid = r.expect(der::kOid);
  if (!oid || !params_absent(r, true)) return std::nullopt;
  return hash_from_oid(oid->value);
}

// A small non-negative INTEGER (salt length, trailer field).
std::optional<std::size_t> parse_small_int(Bytes der) {
  auto i = der::single(der, der::kInteger);
  if (!i || i->value.empty() || i->value.size() > 2 || (i->value[0] & 0x80)) return std::nullopt;
  std::size_t v = 0;
  for (std::uint8_t b : i->value) v = v << 8 | b;
  return v;
}

// RFC 4055 3.1 RSASSA-PSS-params; explicit [n] tags, defaults SHA-1 / MGF1-SHA-1 / 20 / 1.
answerd::expected<SignatureParams, CryptoError> parse_pss(der::Reader& outer) {
  auto params = outer.expect(der::kSequence);
  if (!params || !outer.empty()) return answerd::unexpected(CryptoError::kBadEncoding);
  HashAlgorithm hash = HashAlgorithm::kSha1, mgf = HashAlgorithm::kSha1;
  std::size_t salt = 20, trailer = 1;
  der::Reader r(params->value);
  int last = -1;
  while (!r.empty()) {
    auto t = r.next();
    if (!t || (t->tag & 0xe0) != 0xa0) return answerd::unexpected(CryptoError::kBadEncoding);
    const int n = t->tag & 0x1f;
    if (n <= last || n > 3) return answerd::unexpected(CryptoError::kBadEncoding);  // DER order
    last = n;
    std::optional<HashAlgorithm> h;
    std::optional<std::size_t> v;
    if (n == 0) {
      h = parse_hash_alg(t->value);
      if (h) hash = *h;
    } else if (n == 1) {
      auto seq = der::single(t->value, der::kSequence);
      if (!seq) return answerd::unexpected(CryptoError::kBadEncoding);
      der::Reader m(seq->value);
      auto oid = m.expect(der::kOid);
      auto inner = m.next();
      if (oid && inner && m.empty() && has_prefix(oid->value, kPkcs1Prefix, 1) &&
          oid->value.back() == kMgf1)
        h = parse_hash_alg(inner->whole);
      if (h) mgf = *h;
    } else {
      v = parse_small_int(t->value);
      if (v) (n == 2 ? salt : trailer) = *v;
    }
    if (!h && !v) return answerd::unexpected(CryptoError::kBadEncoding);
  }
  if (trailer != 1) return answerd::unexpected(CryptoError::kBadEncoding);
  SignatureParams p{.mgf1_hash = mgf, .salt_len = salt};
  switch (hash) {
    case HashAlgorithm::kSha2_256: p.scheme = S::kRsaPssSha256; break;
    case HashAlgorithm::kSha2_384: p.scheme = S::kRsaPssSha384; break;
    case HashAlgorithm::kSha2_512: p.scheme = S::kRsaPssSha512; break;
    default: return answerd::unexpected(CryptoError::kUnsupported);  // PSS with SHA-1
  }
  if (mgf == HashAlgorithm::kSha1 || salt > 512) return answerd::unexpected(CryptoError::kUnsupported);
  return p;
}

void append(std::vector<std::uint8_t>& v, std::initializer_list<std::uint8_t> b) {
  v.insert(v.end(), b.begin(), b.end());
}
void append(std::vector<std::uint8_t>& v, Oid b) { v.insert(v.end(), b.begin(), b.end()); }

}  // namespace

std::string_view to_string(SignatureScheme s) {
  switch (s) {
    case S::kRsaPkcs1Sha1: return "RSA_EMSA_PKCS1_SHA1";
    case S::kRsaPkcs1Sha256: return "RSA_EMSA_PKCS1_SHA2_256";
    case S::kRsaPkcs1Sha384: return "RSA_EMSA_PKCS1_SHA2_384";
    case S::kRsaPkcs1Sha512: return "RSA_EMSA_PKCS1_SHA2_512";
    case S::kRsaPssSha256: return "RSA_EMSA_PSS_SHA2_256";
    case S::kRsaPssSha384: return "RSA_EMSA_PSS_SHA2_384";
    case S::kRsaPssSha512: return "RSA_EMSA_PSS_SHA2_512";
    case S::kEcdsaSha256: return "ECDSA_WITH_SHA256_DER";
    case S::kEcdsaSha384: return "ECDSA_WITH_SHA384_DER";
    case S::kEcdsaSha512: return "ECDSA_WITH_SHA512_DER";
    case S::kEd25519: return "ED25519";
  }
  return "unknown";
}

ike::HashAlgorithm scheme_hash(SignatureScheme s) {
  switch (s) {
    case S::kRsaPkcs1Sha1: return HashAlgorithm::kSha1;
    case S::kRsaPkcs1Sha256: case S::kRsaPssSha256: case S::kEcdsaSha256: return HashAlgorithm::kSha2_256;
    case S::kRsaPkcs1Sha384: case S::kRsaPssSha384: case S::kEcdsaSha384: return HashAlgorithm::kSha2_384;
    case S::kRsaPkcs1Sha512: case S::kRsaPssSha512: case S::kEcdsaSha512: return HashAlgorithm::kSha2_512;
    case S::kEd25519: return HashAlgorithm::kIdentity;
  }
  return HashAlgorithm::kIdentity;
}

std::vector<std::uint8_t> algorithm_identifier(SignatureScheme s) {
  std::vector<std::uint8_t> v;
  const auto h = scheme_hash(s);
  const std::uint8_t hash_last = h == HashAlgorithm::kSha2_256 ? 1 : h == HashAlgorithm::kSha2_384 ? 2 : 3;
  switch (s) {
    case S::kRsaPkcs1Sha1: case S::kRsaPkcs1Sha256: case S::kRsaPkcs1Sha384: case S::kRsaPkcs1Sha512:
      append(v, {0x30, 0x0d, 0x06, 0x09});
      append(v, kPkcs1Prefix);
      append(v, {static_cast<std::uint8_t>(s == S::kRsaPkcs1Sha1 ? 0x05 : 0x0a + hash_last), 0x05, 0x00});
      return v;
    case S::kEcdsaSha256: case S::kEcdsaSha384: case S::kEcdsaSha512:
      append(v, {0x30, 0x0a, 0x06, 0x08});
      append(v, kEcdsaPrefix);
      append(v, {static_cast<std::uint8_t>(1 + hash_last)});
      return v;
    case S::kEd25519:
      append(v, {0x30, 0x05, 0x06, 0x03});
      append(v, kEd25519Oid);
      return v;
    case S::kRsaPssSha256: case S::kRsaPssSha384: case S::kRsaPssSha512: {
      // SEQ { id-RSASSA-PSS, SEQ { [0] hash, [1] SEQ { id-mgf1, hash }, [2] salt } }
      const auto hash_alg = [&] {
        append(v, {0x30, 0x0d, 0x06, 0x09});
        append(v, kHashPrefix);
        append(v, {hash_last, 0x05, 0x00});
      };
      append(v, {0x30, 0x41, 0x06, 0x09});
      append(v, kPkcs1Prefix);
      append(v, {kRsaPss, 0x30, 0x34, 0xa0, 0x0f});
      hash_alg();
      append(v, {0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09});
      append(v, kPkcs1Prefix);
      append(v, {kMgf1});
      hash_alg();
      append(v, {0xa2, 0x03, 0x02, 0x01, static_cast<std::uint8_t>(hash_len(h))});
      return v;
    }
  }
  return v;
}

answerd::expected<SignatureParams, CryptoError> parse_algorithm_identifier(Bytes in) {
  auto seq = der::single(in, der::kSequence);
  if (!seq) return answerd::unexpected(CryptoError::kBadEncoding);
  der::Reader r(seq->value);
  auto oid_tlv = r.expect(der::kOid);
  if (!oid_tlv) return answerd::unexpected(CryptoError::kBadEncoding);
  const Oid oid = oid_tlv->value;
  std::optional<SignatureScheme> s;
  bool null_ok = false;
  if (has_prefix(oid, kPkcs1Prefix, 1)) {
    if (oid.back() == kRsaPss) return parse_pss(r);
    null_ok = true;
    switch (oid.back()) {
      case 0x05: s = S::kRsaPkcs1Sha1; break;
      case 0x0b: s = S::kRsaPkcs1Sha256; break;
      case 0x0c: s = S::kRsaPkcs1Sha384; break;
      case 0x0d: s = S::kRsaPkcs1Sha512; break;
      default: break;
    }
  } else if (has_prefix(oid, kEcdsaPrefix, 1)) {
    switch (oid.back()) {
      case 0x02: s = S::kEcdsaSha256; break;
      case 0x03: s = S::kEcdsaSha384; break;
      case 0x04: s = S::kEcdsaSha512; break;
      default: break;
    }
  } else if (std::equal(oid.begin(), oid.end(), std::begin(kEd25519Oid), std::end(kEd25519Oid))) {
    s = S::kEd25519;
  }
  if (!s) return answerd::unexpected(CryptoError::kUnsupported);
  if (!params_absent(r, null_ok)) return answerd::unexpected(CryptoError::kBadEncoding);
  return SignatureParams{.scheme = *s};
}

answerd::expected<DigitalSignature, CryptoError> parse_digital_signature(Bytes auth_data) {
  // RFC 7427 3: ASN.1 Length (1 octet) | AlgorithmIdentifier | Signature Value.
  if (auth_data.empty()) return answerd::unexpected(CryptoError::kBadEncoding);
  const std::size_t len = auth_data[0];
  if (len == 0 || auth_data.size() <= 1 + len) return answerd::unexpected(CryptoError::kBadEncoding);
  DigitalSignature d{.algorithm_identifier = auth_data.subspan(1, len),
                     .signature = auth_data.subspan(1 + len)};
  auto p = parse_algorithm_identifier(d.algorithm_identifier);
  if (!p) return answerd::unexpected(p.error());
  d.params = *p;
  return d;
}

std::span<const ike::HashAlgorithm> supported_signature_hashes() {
  static constexpr std::array<HashAlgorithm, 4> kHashes = {
      HashAlgorithm::kSha2_256, HashAlgorithm::kSha2_384, HashAlgorithm::kSha2_512,
      HashAlgorithm::kIdentity};
  return kHashes;
}

}  // namespace answerd::crypto::pki
