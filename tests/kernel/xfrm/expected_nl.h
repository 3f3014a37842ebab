// Expected netlink bytes for the builder tests, assembled independently of libmnl
// and of the code under test: a header, one uapi struct, then attributes with the
// NLA_ALIGN padding of linux/netlink.h.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace answerd::kernel::xfrm::testing {

class ExpectedNl {
 public:
  ExpectedNl(std::uint16_t type, std::uint16_t flags, std::uint32_t seq) : b_(sizeof(nlmsghdr)) {
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = flags;
    h.nlmsg_seq = seq;
    std::memcpy(b_.data(), &h, sizeof(h));
  }
  template <class T>
  ExpectedNl& body(const T& s) {
    raw(&s, sizeof(s));
    return *this;
  }
  ExpectedNl& attr(std::uint16_t type, const void* p, std::size_t len) {
    nlattr a{};
    a.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + len);
    a.nla_type = type;
    raw(&a, sizeof(a));
    raw(p, len);
    return *this;
  }
  template <class T>
  ExpectedNl& attr(std::uint16_t type, const T& s) {
    return attr(type, &s, sizeof(s));
  }
  ExpectedNl& attr(std::uint16_t type, const std::vector<std::uint8_t>& v) {
    return attr(type, v.data(), v.size());
  }
  // Nested attribute: starts a header whose length end_nest() fills in.
  std::size_t begin_nest(std::uint16_t type) {
    const std::size_t at = b_.size();
    nlattr a{};
    a.nla_type = static_cast<std::uint16_t>(type | NLA_F_NESTED);
    raw(&a, sizeof(a));
    return at;
  }
  void end_nest(std::size_t at) {
    const auto len = static_cast<std::uint16_t>(b_.size() - at);
    std::memcpy(b_.data() + at, &len, sizeof(len));
  }
  std::vector<std::uint8_t> bytes() const {
    std::vector<std::uint8_t> out = b_;
    const auto len = static_cast<std::uint32_t>(out.size());
    std::memcpy(out.data(), &len, sizeof(len));
    return out;
  }

 private:
  void raw(const void* p, std::size_t len) {
    const auto* c = static_cast<const std::uint8_t*>(p);
    b_.insert(b_.end(), c, c + len);
    b_.resize(NLMSG_ALIGN(b_.size()), 0);
  }
  std::vector<std::uint8_t> b_;
};

// "name" into a zero-filled char[64] algorithm name, then the key.
template <class Alg>
std::vector<std::uint8_t> alg_bytes(const Alg& head, const std::vector<std::uint8_t>& key) {
  std::vector<std::uint8_t> v(sizeof(Alg) + key.size());
  std::memcpy(v.data(), &head, sizeof(Alg));
  std::memcpy(v.data() + sizeof(Alg), key.data(), key.size());
  return v;
}

}  // namespace answerd::kernel::xfrm::testing
