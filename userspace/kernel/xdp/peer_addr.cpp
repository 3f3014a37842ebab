// Peer address parsing and formatting; see peer_addr.h.
#include "kernel/xdp/peer_addr.h"

#include <arpa/inet.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace answerd::kernel::xdp {
namespace {

bool is_mapped(const answer_addr& a) {
  static constexpr unsigned char kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(a.addr, kPrefix, sizeof kPrefix) == 0;
}

answerd::unexpected<Error> bad(std::string_view what, std::string_view text) {
  return answerd::unexpected<Error>(
      Error{.code = EINVAL, .message = std::string(what) + ": '" + std::string(text) + "'"});
}

}  // namespace

bool operator==(const answer_addr& a, const answer_addr& b) {
  return std::memcmp(a.addr, b.addr, sizeof a.addr) == 0;
}

Result<answer_addr> parse_addr(std::string_view text) {
  std::string s(text);
  answer_addr a{};
  in_addr v4{};
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    a.addr[10] = 0xff;
    a.addr[11] = 0xff;
    std::memcpy(&a.addr[12], &v4, 4);
    return a;
  }
  if (::inet_pton(AF_INET6, s.c_str(), a.addr) == 1) return a;
  return bad("not an IPv4 or IPv6 address", text);
}

std::string format_addr(const answer_addr& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_mapped(a))
    ::inet_ntop(AF_INET, &a.addr[12], buf, sizeof buf);
  else
    ::inet_ntop(AF_INET6, a.addr, buf, sizeof buf);
  return buf;
}

Result<answer_allow_key> parse_prefix(std::string_view text) {
  auto slash = text.find('/');
  auto addr = parse_addr(text.substr(0, slash));
  if (!addr) return answerd::unexpected<Error>(addr.error());
  answer_allow_key key{};
  std::memcpy(key.addr, addr->addr, sizeof key.addr);
  const bool v4 = is_mapped(*addr) && text.substr(0, slash).find(':') == std::string_view::npos;
  key.prefixlen = 128;
  if (slash == std::string_view::npos) return key;
  auto len_text = text.substr(slash + 1);
  unsigned len = 0;
  auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc() || end != len_text.data() + len_text.size() || len > (v4 ? 32u : 128u))
    return bad("bad prefix length", text);
  key.prefixlen = v4 ? 96 + len : len;
  return key;
}

}  // namespace answerd::kernel::xdp
