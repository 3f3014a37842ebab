// SecretBytes: wiping buffer for key material (see secret_bytes.h).
#include "ike/crypto/secret_bytes.h"

#include <sodium.h>

#include <algorithm>
#include <cassert>

namespace answerd::crypto {

SecretBytes::SecretBytes(std::size_t n)
    : data_(n ? std::make_unique<std::uint8_t[]>(n) : nullptr), size_(n) {}

SecretBytes SecretBytes::copy_of(std::span<const std::uint8_t> bytes) {
  SecretBytes s(bytes.size());
  std::copy(bytes.begin(), bytes.end(), s.data_.get());
  return s;
}

SecretBytes SecretBytes::copy_of(std::string_view text) {
  SecretBytes s(text.size());
  std::copy(text.begin(), text.end(), s.data_.get());
  return s;
}

SecretBytes::SecretBytes(SecretBytes&& o) noexcept
    : data_(std::move(o.data_)), size_(o.size_) {
  o.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& o) noexcept {
  if (this != &o) {
    wipe();
    data_ = std::move(o.data_);
    size_ = o.size_;
    o.size_ = 0;
  }
  return *this;
}

SecretBytes::~SecretBytes() { wipe(); }

void SecretBytes::wipe() noexcept {
  if (data_ && size_) sodium_memzero(data_.get(), size_);
}

bool SecretBytes::equals(std::span<const std::uint8_t> other) const {
  if (other.size() != size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(data_.get(), other.data(), size_) == 0;
}

void SecretBytes::truncate(std::size_t n) {
  assert(n <= size_);
  if (n < size_) sodium_memzero(data_.get() + n, size_ - n);
  size_ = n;
}

}  // namespace answerd::crypto
