// Key loading and key types (see keys.h).
#include "ike/crypto/pki/keys.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "ike/crypto/pki/pki_impl.h"

namespace answerd::crypto::pki {

namespace {

using BioPtr = std::unique_ptr<BIO, ossl::Deleter<BIO_free>>;

bool is_pem(Bytes in) {
  static constexpr std::string_view kBegin = "-----BEGIN";
  const std::string_view s(reinterpret_cast<const char*>(in.data()), in.size());
  return s.find(kBegin) != std::string_view::npos;
}

PkiError error(CryptoError code, std::string_view name, std::string_view reason) {
  ERR_clear_error();  // the reason is ours; do not leave OpenSSL's queue behind
  return {code, std::string(name) + ": " + std::string(reason)};
}

answerd::expected<std::unique_ptr<KeyImpl>, PkiError> wrap(EVP_PKEY* raw, std::string_view name) {
  ossl::Pkey pkey(raw);
  if (!pkey) return answerd::unexpected(error(CryptoError::kBadEncoding, name, "not a PEM or DER key"));
  const auto type = key_type_of(pkey.get());
  if (!type)
    return answerd::unexpected(error(CryptoError::kUnsupported, name,
                                     "key type not supported (RSA, ECDSA P-256/384/521, Ed25519)"));
  if (*type == KeyType::kRsa && EVP_PKEY_get_bits(pkey.get()) < 2048)
    return answerd::unexpected(error(CryptoError::kUnsupported, name, "RSA key shorter than 2048 bits"));
  auto impl = std::make_unique<KeyImpl>();
  impl->pkey = std::move(pkey);
  impl->type = *type;
  return impl;
}

int no_passphrase(char*, int, int, void*) { return -1; }

// OpenSSL's pem_password_cb: copies the passphrase `u` points to into OpenSSL's
// buffer (which OpenSSL cleanses); never reads the terminal.
int give_passphrase(char* buf, int size, int /*rwflag*/, void* u) {
  const Bytes& pass = *static_cast<const Bytes*>(u);
  if (size < 0 || pass.size() > static_cast<std::size_t>(size)) return -1;
  std::memcpy(buf, pass.data(), pass.size());
  return static_cast<int>(pass.size());
}

// One attempt per passphrase (RFC 5958 EncryptedPrivateKeyInfo or traditional
// encrypted PEM). The error never contains a passphrase.
answerd::expected<PrivateKey, PkiError> decrypt_private_key(Bytes in, std::string_view name,
                                                            std::span<const Bytes> passphrases) {
  if (passphrases.empty())
    return answerd::unexpected(error(CryptoError::kBadEncoding, name, "encrypted, no passphrase given"));
  for (const Bytes& pass : passphrases) {
    BioPtr bio(BIO_new_mem_buf(in.data(), static_cast<int>(in.size())));
    if (!bio) return answerd::unexpected(error(CryptoError::kInternal, name, "out of memory"));
    Bytes arg = pass;
    EVP_PKEY* raw = is_pem(in) ? PEM_read_bio_PrivateKey(bio.get(), nullptr, give_passphrase, &arg)
                               : d2i_PKCS8PrivateKey_bio(bio.get(), nullptr, give_passphrase, &arg);
    ERR_clear_error();
    if (raw == nullptr) continue;
    auto impl = wrap(raw, name);
    if (!impl) return answerd::unexpected(impl.error());
    return PrivateKey(std::move(*impl));
  }
  return answerd::unexpected(error(CryptoError::kBadEncoding, name,
                                   "encrypted, no passphrase given decrypts it (wrong passphrase or damaged key)"));
}

}  // namespace

std::string_view to_string(KeyType t) {
  switch (t) {
    case KeyType::kRsa: return "RSA";
    case KeyType::kEcdsaP256: return "ECDSA P-256";
    case KeyType::kEcdsaP384: return "ECDSA P-384";
    case KeyType::kEcdsaP521: return "ECDSA P-521";
    case KeyType::kEd25519: return "Ed25519";
    case KeyType::kUnsupported: return "unsupported";
  }
  return "unknown";
}

std::optional<KeyType> key_type_of(const EVP_PKEY* pkey) {
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA: return KeyType::kRsa;
    case EVP_PKEY_ED25519: return KeyType::kEd25519;
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                         &len) != 1)
        return std::nullopt;
      const std::string_view g(group, len);
      if (g == "prime256v1" || g == "P-256") return KeyType::kEcdsaP256;
      if (g == "secp384r1" || g == "P-384") return KeyType::kEcdsaP384;
      if (g == "secp521r1" || g == "P-521") return KeyType::kEcdsaP521;
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

const EVP_PKEY* pkey_of(const PublicKey& k) { return k.impl().pkey.get(); }
const EVP_PKEY* pkey_of(const PrivateKey& k) { return k.impl().pkey.get(); }

KeyType PublicKey::type() const { return impl_->type; }
std::size_t PublicKey::bits() const {
  return static_cast<std::size_t>(EVP_PKEY_get_bits(impl_->pkey.get()));
}
std::vector<std::uint8_t> PublicKey::spki_der() const {
  unsigned char* out = nullptr;
  const int len = i2d_PUBKEY(impl_->pkey.get(), &out);
  if (len <= 0) return {};
  std::vector<std::uint8_t> v(out, out + len);
  OPENSSL_free(out);
  return v;
}
bool PublicKey::operator==(const PublicKey& o) const {
  return EVP_PKEY_eq(impl_->pkey.get(), o.impl_->pkey.get()) == 1;
}

PrivateKey::PrivateKey(std::unique_ptr<KeyImpl> impl) : impl_(std::move(impl)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;
KeyType PrivateKey::type() const { return impl_->type; }
std::size_t PrivateKey::bits() const {
  return static_cast<std::size_t>(EVP_PKEY_get_bits(impl_->pkey.get()));
}
PublicKey PrivateKey::public_key() const {
  // Round trip through SubjectPublicKeyInfo: the copy holds no private part.
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(impl_->pkey.get(), &der);
  auto impl = std::make_shared<KeyImpl>();
  impl->type = impl_->type;
  if (len > 0) {
    const unsigned char* p = der;
    impl->pkey.reset(d2i_PUBKEY(nullptr, &p, len));
  }
  OPENSSL_free(der);
  return PublicKey(std::move(impl));
}

answerd::expected<std::vector<std::uint8_t>, PkiError> read_file(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    return answerd::unexpected(PkiError{CryptoError::kIo, path.string() + ": " + std::strerror(errno)});
  }
  std::vector<std::uint8_t> d((std::istreambuf_iterator<char>(f)), {});
  if (f.bad()) return answerd::unexpected(PkiError{CryptoError::kIo, path.string() + ": read error"});
  return d;
}

bool is_encrypted_private_key(Bytes in) {
  if (in.empty() || in.size() > INT32_MAX) return false;
  const std::string_view s(reinterpret_cast<const char*>(in.data()), in.size());
  if (is_pem(in))
    return s.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos ||
           s.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos;
  // DER: an EncryptedPrivateKeyInfo (RFC 5958 3) parses as X509_SIG.
  const unsigned char* p = in.data();
  X509_SIG* sig = d2i_X509_SIG(nullptr, &p, static_cast<long>(in.size()));
  const bool enc = sig != nullptr && p == in.data() + in.size();
  X509_SIG_free(sig);
  ERR_clear_error();
  return enc;
}

answerd::expected<PrivateKey, PkiError> load_private_key(Bytes in, std::string_view name,
                                                         std::span<const Bytes> passphrases) {
  if (in.empty()) return answerd::unexpected(error(CryptoError::kBadEncoding, name, "empty"));
  if (in.size() > INT32_MAX) return answerd::unexpected(error(CryptoError::kBadEncoding, name, "too large"));
  if (is_encrypted_private_key(in)) return decrypt_private_key(in, name, passphrases);
  EVP_PKEY* raw = nullptr;
  if (is_pem(in)) {
    BioPtr bio(BIO_new_mem_buf(in.data(), static_cast<int>(in.size())));
    if (!bio) return answerd::unexpected(error(CryptoError::kInternal, name, "out of memory"));
    // A callback that gives no passphrase: OpenSSL must never prompt on the terminal.
    raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
  } else {
    const unsigned char* p = in.data();
    raw = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(in.size()));
    if (raw && p != in.data() + in.size()) {
      EVP_PKEY_free(raw);
      return answerd::unexpected(error(CryptoError::kBadEncoding, name, "trailing data after the key"));
    }
  }
  auto impl = wrap(raw, name);
  if (!impl) return answerd::unexpected(impl.error());
  return PrivateKey(std::move(*impl));
}

answerd::expected<PrivateKey, PkiError> load_private_key_file(const std::filesystem::path& path,
                                                              std::span<const Bytes> passphrases) {
  auto d = read_file(path);
  if (!d) return answerd::unexpected(d.error());
  auto k = load_private_key(*d, path.string(), passphrases);
  sodium_memzero(d->data(), d->size());
  return k;
}

answerd::expected<PublicKey, PkiError> load_public_key(Bytes in, std::string_view name) {
  if (in.empty()) return answerd::unexpected(error(CryptoError::kBadEncoding, name, "empty"));
  if (in.size() > INT32_MAX) return answerd::unexpected(error(CryptoError::kBadEncoding, name, "too large"));
  EVP_PKEY* raw = nullptr;
  if (is_pem(in)) {
    BioPtr bio(BIO_new_mem_buf(in.data(), static_cast<int>(in.size())));
    if (!bio) return answerd::unexpected(error(CryptoError::kInternal, name, "out of memory"));
    raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  } else {
    const unsigned char* p = in.data();
    raw = d2i_PUBKEY(nullptr, &p, static_cast<long>(in.size()));
    if (raw && p != in.data() + in.size()) {
      EVP_PKEY_free(raw);
      return answerd::unexpected(error(CryptoError::kBadEncoding, name, "trailing data after the key"));
    }
  }
  auto impl = wrap(raw, name);
  if (!impl) return answerd::unexpected(impl.error());
  return PublicKey(std::shared_ptr<const KeyImpl>(std::move(*impl)));
}

answerd::expected<PublicKey, PkiError> load_public_key_file(const std::filesystem::path& path) {
  auto d = read_file(path);
  if (!d) return answerd::unexpected(d.error());
  return load_public_key(*d, path.string());
}

}  // namespace answerd::crypto::pki
