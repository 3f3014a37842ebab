// SecretString: the config module's wiping buffer for pre-shared keys and key
// passphrases read from `secrets`. Memory is cleared with explicit_bzero when the
// value is destroyed, assigned over or moved from. It never prints its content.
// ike/crypto has the move-only SecretBytes (libsodium); the config library does not
// link crypto, so the daemon hands view() to crypto::SecretBytes::copy_of() once.
#pragma once

#include <string.h>  // explicit_bzero

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace answerd::config {

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::span<const std::uint8_t> bytes) : b_(bytes.begin(), bytes.end()) {}
  explicit SecretString(std::string_view text) : b_(text.begin(), text.end()) {}
  SecretString(const SecretString& o) : b_(o.b_) {}
  SecretString(SecretString&& o) noexcept : b_(std::move(o.b_)) { o.wipe(); }
  SecretString& operator=(const SecretString& o) {
    if (this != &o) {
      wipe();
      b_ = o.b_;
    }
    return *this;
  }
  SecretString& operator=(SecretString&& o) noexcept {
    if (this != &o) {
      wipe();
      b_ = std::move(o.b_);
      o.wipe();
    }
    return *this;
  }
  ~SecretString() { wipe(); }

  [[nodiscard]] std::span<const std::uint8_t> view() const { return {b_.data(), b_.size()}; }
  [[nodiscard]] std::size_t size() const { return b_.size(); }
  [[nodiscard]] bool empty() const { return b_.empty(); }
  friend bool operator==(const SecretString& a, const SecretString& b) { return a.b_ == b.b_; }

 private:
  void wipe() noexcept {
    // Bytes past size() were wiped by the wipe() that preceded any shrink.
    std::uint8_t* p = b_.data();
    if (p != nullptr) explicit_bzero(p, b_.size());
    b_.clear();
  }
  std::vector<std::uint8_t> b_;
};

}  // namespace answerd::config
