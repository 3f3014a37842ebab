// Public and private keys for IKEv2 signature authentication (RFC 7296 2.15,
// RFC 7427, RFC 4754, RFC 8420): RSA, ECDSA on P-256/P-384/P-521 and Ed25519,
// loaded from PEM or DER (PKCS#8, traditional RSA/EC, SubjectPublicKeyInfo).
// Encrypted private keys (PEM or DER encrypted PKCS#8 (RFC 5958 3), traditional PEM
// with "Proc-Type: 4,ENCRYPTED") are decrypted with passphrases the caller holds in
// wiping buffers; OpenSSL never prompts on the terminal and no passphrase appears in
// an error message.
// Opaque handles: the OpenSSL objects stay inside answerd_crypto. Loading errors
// carry the file (or given) name and the reason, for configuration messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ike/crypto/errors.h"
#include "util/expected.h"

namespace answerd::crypto::pki {

using Bytes = std::span<const std::uint8_t>;

enum class KeyType : std::uint8_t {
  kRsa,
  kEcdsaP256,
  kEcdsaP384,
  kEcdsaP521,
  kEd25519,
  kUnsupported,  // a certificate's key answerd cannot verify with (RSA-PSS-only, Ed448, ...)
};

[[nodiscard]] std::string_view to_string(KeyType t);

// A loading or validation error: the code and "NAME: reason" for the operator.
struct PkiError {
  CryptoError code = CryptoError::kInternal;
  std::string message{};
  bool revoked = false;  // a CRL lists a chain certificate (CrlSet::check)
};

struct KeyImpl;

// A public key (from a certificate, a file or SubjectPublicKeyInfo DER). Immutable;
// copies share the key.
class PublicKey {
 public:
  [[nodiscard]] KeyType type() const;
  [[nodiscard]] std::size_t bits() const;
  // SubjectPublicKeyInfo DER.
  [[nodiscard]] std::vector<std::uint8_t> spki_der() const;
  [[nodiscard]] bool operator==(const PublicKey& o) const;
  [[nodiscard]] const KeyImpl& impl() const { return *impl_; }
  explicit PublicKey(std::shared_ptr<const KeyImpl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<const KeyImpl> impl_;
};

// A private key; move-only (OpenSSL wipes the key material on free).
class PrivateKey {
 public:
  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  ~PrivateKey();
  [[nodiscard]] KeyType type() const;
  [[nodiscard]] std::size_t bits() const;
  // Its public half (to check that a configured certificate belongs to it).
  [[nodiscard]] PublicKey public_key() const;
  [[nodiscard]] const KeyImpl& impl() const { return *impl_; }
  explicit PrivateKey(std::unique_ptr<KeyImpl> impl);

 private:
  std::unique_ptr<KeyImpl> impl_;
};

// PEM ("-----BEGIN ...") or DER, detected. `name` prefixes error messages. An
// encrypted key is tried with each of `passphrases` in turn (views of the caller's
// wiping buffers): kBadEncoding with "NAME: encrypted, no passphrase given" or
// "NAME: encrypted, no passphrase given decrypts it (wrong passphrase or damaged
// key)" when none does; is_encrypted_key_error() tells those apart from others.
[[nodiscard]] answerd::expected<PrivateKey, PkiError> load_private_key(
    Bytes pem_or_der, std::string_view name = "private key", std::span<const Bytes> passphrases = {});
[[nodiscard]] answerd::expected<PrivateKey, PkiError> load_private_key_file(
    const std::filesystem::path& path, std::span<const Bytes> passphrases = {});
// Whether PEM or DER bytes hold an encrypted private key (no decryption attempted).
[[nodiscard]] bool is_encrypted_private_key(Bytes pem_or_der);
[[nodiscard]] answerd::expected<PublicKey, PkiError> load_public_key(
    Bytes pem_or_der, std::string_view name = "public key");
[[nodiscard]] answerd::expected<PublicKey, PkiError> load_public_key_file(
    const std::filesystem::path& path);

// Reads a whole file (for the loaders); kIo with "PATH: reason" when it cannot.
[[nodiscard]] answerd::expected<std::vector<std::uint8_t>, PkiError> read_file(
    const std::filesystem::path& path);

}  // namespace answerd::crypto::pki
