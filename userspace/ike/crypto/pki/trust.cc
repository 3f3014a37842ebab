// Certificate path validation (RFC 5280 6) and CERTREQ handling (see trust.h).
#include "ike/crypto/pki/trust.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <string>

#include "ike/crypto/pki/pki_impl.h"

namespace answerd::crypto::pki {

using StorePtr = std::unique_ptr<X509_STORE, ossl::Deleter<X509_STORE_free>>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, ossl::Deleter<X509_STORE_CTX_free>>;

namespace {
struct StackFree {
  void operator()(STACK_OF(X509)* s) const noexcept { sk_X509_free(s); }  // not the certs
};
using X509Stack = std::unique_ptr<STACK_OF(X509), StackFree>;

constexpr int kMaxIntermediates = 8;

// The chain X509_verify_cert built, as our Certificate handles (the X509 objects are
// the ones we handed in: the end entity, the peer's intermediates, our CAs).
std::vector<Certificate> built_chain(X509_STORE_CTX* ctx, const Certificate& ee,
                                     std::span<const Certificate> intermediates,
                                     std::span<const Certificate> cas) {
  std::vector<Certificate> out;
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx);
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    const X509* x = sk_X509_value(chain, i);
    const Certificate* found = x509_of(ee) == x ? &ee : nullptr;
    for (const auto* list : {&intermediates, &cas})
      for (const Certificate& c : *list)
        if (found == nullptr && x509_of(c) == x) found = &c;
    if (found != nullptr) out.push_back(*found);
  }
  if (out.empty()) out.push_back(ee);
  return out;
}
}  // namespace

struct TrustStoreImpl {
  std::vector<Certificate> cas;
  StorePtr store;
};

answerd::expected<TrustStore, PkiError> TrustStore::create(std::vector<Certificate> cas) {
  if (cas.empty()) return answerd::unexpected(PkiError{CryptoError::kBadEncoding, "no CA certificate"});
  auto impl = std::make_shared<TrustStoreImpl>();
  impl->store.reset(X509_STORE_new());
  if (!impl->store) return answerd::unexpected(PkiError{CryptoError::kInternal, "out of memory"});
  for (const Certificate& ca : cas) {
    if (!ca.is_ca())
      return answerd::unexpected(
          PkiError{CryptoError::kBadEncoding, ca.subject_text() + ": not a CA certificate"});
    if (X509_STORE_add_cert(impl->store.get(), x509_of(ca)) != 1) ERR_clear_error();  // duplicate
  }
  impl->cas = std::move(cas);
  return TrustStore(std::move(impl));
}

answerd::expected<void, PkiError> TrustStore::verify(const Certificate& ee,
                                                     std::span<const Certificate> intermediates,
                                                     std::chrono::system_clock::time_point now) const {
  auto chain = verify_chain(ee, intermediates, now);
  if (!chain) return answerd::unexpected(chain.error());
  return {};
}

answerd::expected<std::vector<Certificate>, PkiError> TrustStore::verify_chain(
    const Certificate& ee, std::span<const Certificate> intermediates,
    std::chrono::system_clock::time_point now) const {
  if (intermediates.size() > kMaxIntermediates)
    return answerd::unexpected(PkiError{CryptoError::kCertificateUntrusted, "too many intermediates"});
  X509Stack chain(sk_X509_new_null());
  StoreCtx ctx(X509_STORE_CTX_new());
  if (!chain || !ctx) return answerd::unexpected(PkiError{CryptoError::kInternal, "out of memory"});
  for (const Certificate& c : intermediates)
    if (!sk_X509_push(chain.get(), x509_of(c)))
      return answerd::unexpected(PkiError{CryptoError::kInternal, "out of memory"});
  if (X509_STORE_CTX_init(ctx.get(), impl_->store.get(), x509_of(ee), chain.get()) != 1)
    return answerd::unexpected(PkiError{CryptoError::kInternal, "X509_STORE_CTX_init failed"});
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(now));
  X509_VERIFY_PARAM_set_depth(param, kMaxIntermediates + 1);
  // Every configured CA is a trust anchor, self-signed or not (as in strongSwan).
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  const int ok = X509_verify_cert(ctx.get());
  ERR_clear_error();
  if (ok != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    const X509* bad = X509_STORE_CTX_get_current_cert(ctx.get());
    const std::string who = bad ? name_text(X509_get_subject_name(bad)) : ee.subject_text();
    const bool time = err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID;
    return answerd::unexpected(
        PkiError{time ? CryptoError::kCertificateExpired : CryptoError::kCertificateUntrusted,
                 who + ": " + X509_verify_cert_error_string(err)});
  }
  // RFC 4945 5.1.3.2: an end-entity keyUsage, when present, must allow signing.
  const std::uint32_t ku = X509_get_key_usage(x509_of(ee));
  if (ku != UINT32_MAX && !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
    return answerd::unexpected(PkiError{CryptoError::kCertificateUntrusted,
                                        ee.subject_text() + ": keyUsage does not allow digitalSignature"});
  return built_chain(ctx.get(), ee, intermediates, impl_->cas);
}

std::span<const Certificate> TrustStore::cas() const { return impl_->cas; }

std::vector<std::uint8_t> TrustStore::certreq_data() const {
  std::vector<std::uint8_t> out;
  for (const Certificate& ca : impl_->cas) {
    const KeyHash h = ca.key_hash();
    if (out.size() >= h.size() && std::search(out.begin(), out.end(), h.begin(), h.end()) != out.end())
      continue;  // the same key twice (re-issued CA)
    out.insert(out.end(), h.begin(), h.end());
  }
  return out;
}

answerd::expected<std::vector<KeyHash>, CryptoError> parse_certreq(Bytes field) {
  if (field.size() % 20 != 0) return answerd::unexpected(CryptoError::kBadEncoding);
  std::vector<KeyHash> out(field.size() / 20);
  for (std::size_t i = 0; i < out.size(); ++i)
    std::copy_n(field.begin() + static_cast<std::ptrdiff_t>(20 * i), 20, out[i].begin());
  return out;
}

CertSelection select_certs(std::span<const Certificate> chain, std::span<const KeyHash> requested) {
  CertSelection sel;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (i > 0 && std::find(requested.begin(), requested.end(), chain[i].key_hash()) != requested.end()) {
      sel.matched = true;
      return sel;
    }
    if (i > 0 && chain[i].self_signed()) break;  // a root is never sent
    sel.count = i + 1;
  }
  return sel;
}

}  // namespace answerd::crypto::pki
