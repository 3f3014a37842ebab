// X.509 certificate handles (see x509.h) and the process-wide cache of parsed peer
// certificates behind Certificate::from_der.
#include "ike/crypto/pki/x509.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <list>
#include <mutex>
#include <unordered_map>

#include "ike/crypto/pki/pki_impl.h"

namespace answerd::crypto::pki {

namespace {

using BioPtr = std::unique_ptr<BIO, ossl::Deleter<BIO_free>>;
using GeneralNames = std::unique_ptr<GENERAL_NAMES, ossl::Deleter<GENERAL_NAMES_free>>;

bool is_pem(Bytes in) {
  const std::string_view s(reinterpret_cast<const char*>(in.data()), in.size());
  return s.find("-----BEGIN") != std::string_view::npos;
}

PkiError error(CryptoError code, std::string_view name, std::string_view reason) {
  ERR_clear_error();
  return {code, std::string(name) + ": " + std::string(reason)};
}

std::vector<std::uint8_t> name_der(const X509_NAME* n) {
  unsigned char* out = nullptr;
  const int len = i2d_X509_NAME(n, &out);
  if (len <= 0) return {};
  std::vector<std::uint8_t> v(out, out + len);
  OPENSSL_free(out);
  return v;
}

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// Takes ownership of x (may be null) and records its DER.
answerd::expected<Certificate, CryptoError> wrap(X509* x) {
  X509Ptr cert(x);
  if (!cert) return answerd::unexpected(CryptoError::kBadEncoding);
  auto impl = std::make_shared<CertImpl>();
  unsigned char* out = nullptr;
  const int len = i2d_X509(cert.get(), &out);
  if (len <= 0) return answerd::unexpected(CryptoError::kBadEncoding);
  impl->der.assign(out, out + len);
  OPENSSL_free(out);
  impl->x509 = std::move(cert);
  return Certificate(std::move(impl));
}

}  // namespace

X509* x509_of(const Certificate& c) { return c.impl().x509.get(); }

std::string name_text(const X509_NAME* n) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  // strongSwan's form: "C=CH, O=Org, CN=name" (no spaces around '=').
  const unsigned long flags = XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ;
  if (X509_NAME_print_ex(bio.get(), n, 0, flags) < 0) return {};
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}


// --- Parsed-certificate cache ---------------------------------------------------
// d2i_X509 is most of a certificate handshake's CPU (OpenSSL 3 builds a key decoder
// context per call; docs/benchmarks.md, "OpenSSL calls per handshake"), and spokes
// send the same certificates on every reconnect. The cache maps the exact DER bytes
// (keyed hash to find candidates, then a full byte comparison) to the parsed, immutable
// CertImpl. It holds parsed bytes, never verdicts: chain validation, CRLs, identity
// and the AUTH signature still run on every handshake, so nothing needs clearing on
// a configuration reload (a reloaded CA or CRL is used by the next verification).
// Bounded: kParsedCacheCapacity entries, least recently used out, so a peer sending
// endless distinct certificates costs one hash, one lookup and one eviction per
// certificate on top of the parse it costs without the cache.
//
// Sharing one X509 between worker threads is safe: after d2i_X509 the object is only
// read (X509_verify_cert, X509_CRL_get0_by_cert, the accessors above); OpenSSL 3
// computes its lazily cached extension data (ossl_x509v3_cache_extensions: flags,
// key usage, SHA-1 hash, signature info) under the object's own lock (x->lock,
// CRYPTO_THREAD_write_lock) and the public key is decoded at d2i time. No answerd
// code mutates a parsed certificate (CertImpl is const behind the handle).
namespace {

struct CacheEntry {
  std::size_t hash = 0;
  std::shared_ptr<const CertImpl> cert;
};

struct ParsedCache {
  std::mutex mu;
  std::list<CacheEntry> lru;  // most recently used first
  std::unordered_multimap<std::size_t, std::list<CacheEntry>::iterator> by_hash;
};

ParsedCache& parsed_cache() {
  static ParsedCache c;  // never destroyed before last use: function-local static
  return c;
}

// Keyed SipHash-2-4 (libsodium crypto_shorthash) with a per-process random key: a
// peer cannot choose certificates that collide into one bucket, which would make
// every lookup compare up to kParsedCacheCapacity certificates of up to 64 KiB.
std::size_t der_hash(Bytes der) {
  static const auto key = [] {
    std::array<unsigned char, crypto_shorthash_KEYBYTES> k{};
    // Should RAND fail, the zero key is still correct, only predictable.
    if (RAND_bytes(k.data(), static_cast<int>(k.size())) != 1) ERR_clear_error();
    return k;
  }();
  std::array<unsigned char, crypto_shorthash_BYTES> out{};
  crypto_shorthash(out.data(), der.data(), der.size(), key.data());
  std::size_t h = 0;
  std::memcpy(&h, out.data(), std::min(sizeof h, out.size()));
  return h;
}

bool same_bytes(const std::vector<std::uint8_t>& a, Bytes b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Caller holds pc.mu. The cached entry with exactly these bytes, moved to the front.
std::shared_ptr<const CertImpl> cache_find(ParsedCache& pc, std::size_t h, Bytes der) {
  auto [first, last] = pc.by_hash.equal_range(h);
  for (auto it = first; it != last; ++it) {
    if (!same_bytes(it->second->cert->der, der)) continue;
    pc.lru.splice(pc.lru.begin(), pc.lru, it->second);
    return it->second->cert;
  }
  return nullptr;
}

// Caller holds pc.mu. Inserts `impl` (or returns the entry another thread added for
// the same bytes meanwhile); the least recently used entry beyond the bound moves to
// `evicted`, for the caller to release after unlocking (X509_free when last).
std::shared_ptr<const CertImpl> cache_insert(ParsedCache& pc, std::size_t h,
                                             std::shared_ptr<const CertImpl> impl,
                                             std::shared_ptr<const CertImpl>& evicted) {
  if (auto existing = cache_find(pc, h, impl->der)) return existing;
  pc.lru.push_front(CacheEntry{h, impl});
  pc.by_hash.emplace(h, pc.lru.begin());
  if (pc.lru.size() <= kParsedCacheCapacity) return impl;
  const auto victim = std::prev(pc.lru.end());
  auto [first, last] = pc.by_hash.equal_range(victim->hash);
  for (auto it = first; it != last; ++it)
    if (it->second == victim) {
      pc.by_hash.erase(it);
      break;
    }
  evicted = std::move(victim->cert);  // lives on in handles still holding it
  pc.lru.erase(victim);
  return impl;
}

}  // namespace

std::size_t parsed_cache_size() {
  ParsedCache& pc = parsed_cache();
  const std::lock_guard lock(pc.mu);
  return pc.lru.size();
}

void clear_parsed_cache() {
  ParsedCache& pc = parsed_cache();
  const std::lock_guard lock(pc.mu);
  pc.by_hash.clear();
  pc.lru.clear();
}

answerd::expected<Certificate, CryptoError> Certificate::from_der(Bytes der) {
  if (der.empty() || der.size() > 65535) return answerd::unexpected(CryptoError::kBadEncoding);
  ParsedCache& pc = parsed_cache();
  const std::size_t h = der_hash(der);
  {
    const std::lock_guard lock(pc.mu);
    if (auto hit = cache_find(pc, h, der)) return Certificate(std::move(hit));
  }
  // Parsed outside the lock: workers parse different certificates in parallel.
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!x || p != der.data() + der.size()) return answerd::unexpected(CryptoError::kBadEncoding);
  // Keep the bytes exactly as received (what the peer sent and the issuer signed).
  auto impl = std::make_shared<CertImpl>();
  impl->x509 = std::move(x);
  impl->der.assign(der.begin(), der.end());
  std::shared_ptr<const CertImpl> evicted;  // released after the lock (declared first)
  const std::lock_guard lock(pc.mu);
  return Certificate(cache_insert(pc, h, std::move(impl), evicted));
}

Bytes Certificate::der() const { return impl_->der; }

PublicKey Certificate::public_key() const {
  auto impl = std::make_shared<KeyImpl>();
  impl->type = KeyType::kUnsupported;
  impl->pkey.reset(X509_get_pubkey(impl_->x509.get()));  // counted reference
  if (impl->pkey) impl->type = key_type_of(impl->pkey.get()).value_or(KeyType::kUnsupported);
  return PublicKey(std::move(impl));
}

std::vector<std::uint8_t> Certificate::subject_der() const {
  return name_der(X509_get_subject_name(impl_->x509.get()));
}
std::vector<std::uint8_t> Certificate::issuer_der() const {
  return name_der(X509_get_issuer_name(impl_->x509.get()));
}
std::string Certificate::subject_text() const {
  return name_text(X509_get_subject_name(impl_->x509.get()));
}
std::string Certificate::issuer_text() const {
  return name_text(X509_get_issuer_name(impl_->x509.get()));
}

std::vector<AltName> Certificate::alt_names() const {
  std::vector<AltName> out;
  GeneralNames names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(impl_->x509.get(), NID_subject_alt_name, nullptr, nullptr)));
  ERR_clear_error();
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
    AltName a;
    const ASN1_STRING* s = nullptr;
    switch (g->type) {
      case GEN_DNS: a.kind = AltName::Kind::kDns; s = g->d.dNSName; break;
      case GEN_EMAIL: a.kind = AltName::Kind::kEmail; s = g->d.rfc822Name; break;
      case GEN_IPADD: a.kind = AltName::Kind::kIp; s = g->d.iPAddress; break;
      case GEN_DIRNAME: a.kind = AltName::Kind::kDirName; a.value = name_der(g->d.directoryName); break;
      default: continue;
    }
    if (s) {
      const unsigned char* d = ASN1_STRING_get0_data(s);
      a.value.assign(d, d + ASN1_STRING_length(s));
    }
    out.push_back(std::move(a));
  }
  return out;
}

KeyHash Certificate::key_hash() const {
  KeyHash h{};
  unsigned char* spki = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(impl_->x509.get()), &spki);
  if (len > 0) {
    unsigned int out_len = 0;
    EVP_Digest(spki, static_cast<std::size_t>(len), h.data(), &out_len, ossl::md_sha1(), nullptr);
  }
  OPENSSL_free(spki);
  return h;
}

std::chrono::system_clock::time_point Certificate::not_before() const {
  return to_time_point(X509_get0_notBefore(impl_->x509.get()));
}
std::chrono::system_clock::time_point Certificate::not_after() const {
  return to_time_point(X509_get0_notAfter(impl_->x509.get()));
}

bool Certificate::is_ca() const {
  return (X509_get_extension_flags(impl_->x509.get()) & EXFLAG_CA) != 0;
}

bool Certificate::self_signed() const { return X509_self_signed(impl_->x509.get(), 1) == 1; }

bool Certificate::matches(const PrivateKey& key) const {
  return X509_check_private_key(impl_->x509.get(), pkey_of(key)) == 1 || (ERR_clear_error(), false);
}

answerd::expected<std::vector<Certificate>, PkiError> load_certificates(Bytes in, std::string_view name) {
  std::vector<Certificate> out;
  if (in.empty()) return answerd::unexpected(error(CryptoError::kBadEncoding, name, "empty"));
  if (in.size() > INT32_MAX) return answerd::unexpected(error(CryptoError::kBadEncoding, name, "too large"));
  if (!is_pem(in)) {
    auto c = Certificate::from_der(in);
    if (!c) return answerd::unexpected(error(c.error(), name, "not a PEM or DER X.509 certificate"));
    out.push_back(std::move(*c));
    return out;
  }
  BioPtr bio(BIO_new_mem_buf(in.data(), static_cast<int>(in.size())));
  if (!bio) return answerd::unexpected(error(CryptoError::kInternal, name, "out of memory"));
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    auto c = wrap(x);
    if (!c) return answerd::unexpected(error(c.error(), name, "certificate does not re-encode"));
    out.push_back(std::move(*c));
  }
  const unsigned long err = ERR_peek_last_error();
  // The loop ends with "no start line" at the end of the input; anything else is broken PEM.
  if (out.empty() || (err && ERR_GET_REASON(err) != PEM_R_NO_START_LINE))
    return answerd::unexpected(error(CryptoError::kBadEncoding, name,
                                     out.empty() ? "no PEM certificate" : "broken PEM certificate"));
  ERR_clear_error();
  return out;
}

answerd::expected<Certificate, PkiError> load_certificate(Bytes in, std::string_view name) {
  auto all = load_certificates(in, name);
  if (!all) return answerd::unexpected(all.error());
  return std::move(all->front());
}

answerd::expected<std::vector<Certificate>, PkiError> load_certificates_file(
    const std::filesystem::path& path) {
  auto d = read_file(path);
  if (!d) return answerd::unexpected(d.error());
  return load_certificates(*d, path.string());
}

answerd::expected<Certificate, PkiError> load_certificate_file(const std::filesystem::path& path) {
  auto d = read_file(path);
  if (!d) return answerd::unexpected(d.error());
  return load_certificate(*d, path.string());
}

}  // namespace answerd::crypto::pki
