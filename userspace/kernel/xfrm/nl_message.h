// NlMessage: one netlink request built in memory by the pure builders of
// xfrm_messages.h (Katran's NetlinkMessage idea): tests compare its bytes with the
// expected layout, the socket sends them as they are. An NEWSA/UPDSA message holds
// ESP keys, so the buffer is wiped when the message is destroyed.
#pragma once

#include <linux/netlink.h>
#include <string.h>  // explicit_bzero

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace answerd::kernel::xfrm {

class NlMessage {
 public:
  NlMessage() = default;
  explicit NlMessage(std::size_t capacity) : b_(capacity, 0) {}
  NlMessage(const NlMessage&) = delete;
  NlMessage& operator=(const NlMessage&) = delete;
  NlMessage(NlMessage&& o) noexcept : b_(std::move(o.b_)) { o.b_.clear(); }
  NlMessage& operator=(NlMessage&& o) noexcept {
    if (this != &o) {
      wipe();
      b_ = std::move(o.b_);
      o.b_.clear();
    }
    return *this;
  }
  ~NlMessage() { wipe(); }

  [[nodiscard]] std::uint8_t* data() { return b_.data(); }
  [[nodiscard]] nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(b_.data()); }
  [[nodiscard]] const nlmsghdr* header() const {
    return reinterpret_cast<const nlmsghdr*>(b_.data());
  }
  // The message as sent: nlmsg_len bytes.
  [[nodiscard]] std::span<const std::uint8_t> bytes() const {
    return {b_.data(), b_.empty() ? 0 : header()->nlmsg_len};
  }
  [[nodiscard]] std::size_t capacity() const { return b_.size(); }

 private:
  void wipe() noexcept {
    if (!b_.empty()) explicit_bzero(b_.data(), b_.size());
  }
  std::vector<std::uint8_t> b_;
};

}  // namespace answerd::kernel::xfrm
