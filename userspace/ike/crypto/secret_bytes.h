// SecretBytes: the only container for key material in answerd (private KE values,
// g^ir, SKEYSEED, SK_*, KEYMAT, PSKs). Heap storage wiped with sodium_memzero on
// destruction and on move-from; move-only; no operator<< (nothing prints a secret
// by accident); equality only through the constant-time equals().
//
// Storage is plain operator new, not sodium_malloc: sodium_malloc maps guard pages
// and mlocks per buffer (measured 280 us per malloc+free here) and an IKE_SA_INIT
// holds about ten secrets, 45 times the whole X25519 exchange (docs/benchmarks.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace answerd::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  // n zero bytes.
  explicit SecretBytes(std::size_t n);
  [[nodiscard]] static SecretBytes copy_of(std::span<const std::uint8_t> bytes);
  [[nodiscard]] static SecretBytes copy_of(std::string_view text);

  SecretBytes(SecretBytes&& o) noexcept;
  SecretBytes& operator=(SecretBytes&& o) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  // An explicit deep copy (for the rare place that must keep two owners).
  [[nodiscard]] SecretBytes clone() const { return copy_of(view()); }

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] std::span<const std::uint8_t> view() const { return {data_.get(), size_}; }
  [[nodiscard]] std::span<std::uint8_t> writable() { return {data_.get(), size_}; }
  [[nodiscard]] const std::uint8_t* data() const { return data_.get(); }

  // Constant-time comparison (sodium_memcmp); false when sizes differ.
  [[nodiscard]] bool equals(std::span<const std::uint8_t> other) const;

  // Shortens to n bytes (n <= size()), wiping the tail.
  void truncate(std::size_t n);

 private:
  void wipe() noexcept;
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
};

}  // namespace answerd::crypto
