// XFRM ESP probe (see kernel_probe.h). Netlink messages are built by pure functions;
// the probe sends them on a NETLINK_XFRM socket and reads the acks (with extended
// ack messages so the kernel's own reason is quoted).
#include "daemon/kernel_probe.h"

#include "daemon/unique_fd.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace answerd::daemon {
namespace {

constexpr const char* kProbeSrc = "192.0.2.253";  // RFC 5737 TEST-NET-1
constexpr const char* kProbeDst = "192.0.2.254";

class NlBuilder {
 public:
  NlBuilder(std::uint16_t type, std::uint16_t flags, std::uint32_t seq) {
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = flags;
    h.nlmsg_seq = seq;
    append(&h, sizeof h);
  }
  void append(const void* p, std::size_t n) {
    auto* b = static_cast<const std::uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
    buf_.resize(NLMSG_ALIGN(buf_.size()), 0);
  }
  void attr(std::uint16_t type, const void* p, std::size_t n) {
    nlattr a{};
    a.nla_type = type;
    a.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + n);
    buf_.insert(buf_.end(), reinterpret_cast<const std::uint8_t*>(&a),
                reinterpret_cast<const std::uint8_t*>(&a) + sizeof a);
    append(p, n);
  }
  std::vector<std::uint8_t> finish() {
    auto len = static_cast<std::uint32_t>(buf_.size());
    std::memcpy(buf_.data(), &len, sizeof len);  // nlmsg_len is the first field
    return std::move(buf_);
  }

 private:
  std::vector<std::uint8_t> buf_;
};

void put_addr(xfrm_address_t& a, const char* text) { ::inet_pton(AF_INET, text, &a.a4); }

// Reads the ack for `seq`: 0 or a positive errno, with the extack message if any.
int read_ack(int fd, std::uint32_t seq, std::string& extack) {
  std::array<std::uint8_t, 8192> buf{};
  for (;;) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    auto len = static_cast<std::size_t>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR) continue;
      auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(h));
      // With NETLINK_CAP_ACK the TLVs follow the nlmsgerr directly.
      auto off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nlmsgerr));
      while ((h->nlmsg_flags & NLM_F_ACK_TLVS) != 0 && off + NLA_HDRLEN <= h->nlmsg_len) {
        auto* a = reinterpret_cast<nlattr*>(reinterpret_cast<std::uint8_t*>(h) + off);
        if (a->nla_len < NLA_HDRLEN || off + a->nla_len > h->nlmsg_len) break;
        if (a->nla_type == NLMSGERR_ATTR_MSG)
          extack.assign(reinterpret_cast<const char*>(a) + NLA_HDRLEN, strnlen(reinterpret_cast<const char*>(a) + NLA_HDRLEN, a->nla_len - NLA_HDRLEN));
        off += NLA_ALIGN(a->nla_len);
      }
      return -e->error;
    }
  }
}

int transact(int fd, const std::vector<std::uint8_t>& msg, std::uint32_t seq, std::string& extack) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    return errno;
  return read_ack(fd, seq, extack);
}

}  // namespace

std::vector<std::uint8_t> build_probe_newsa(std::uint32_t spi, std::uint32_t seq) {
  NlBuilder b(XFRM_MSG_NEWSA, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq);
  xfrm_usersa_info sa{};
  sa.sel.family = AF_INET;
  put_addr(sa.id.daddr, kProbeDst);
  put_addr(sa.saddr, kProbeSrc);
  sa.id.spi = htonl(spi);
  sa.id.proto = IPPROTO_ESP;
  sa.family = AF_INET;
  sa.mode = XFRM_MODE_TRANSPORT;
  sa.lft.soft_byte_limit = sa.lft.hard_byte_limit = XFRM_INF;
  sa.lft.soft_packet_limit = sa.lft.hard_packet_limit = XFRM_INF;
  b.append(&sa, sizeof sa);
  // Keys are zeros: the SA never carries a packet.
  xfrm_algo crypt{};
  std::strcpy(crypt.alg_name, "cbc(aes)");
  crypt.alg_key_len = 128;
  std::vector<std::uint8_t> crypt_attr(sizeof crypt + 128 / 8, 0);
  std::memcpy(crypt_attr.data(), &crypt, sizeof crypt);
  b.attr(XFRMA_ALG_CRYPT, crypt_attr.data(), crypt_attr.size());
  xfrm_algo_auth auth{};
  std::strcpy(auth.alg_name, "hmac(sha256)");
  auth.alg_key_len = 256;
  auth.alg_trunc_len = 128;
  std::vector<std::uint8_t> auth_attr(sizeof auth + 256 / 8, 0);
  std::memcpy(auth_attr.data(), &auth, sizeof auth);
  b.attr(XFRMA_ALG_AUTH_TRUNC, auth_attr.data(), auth_attr.size());
  return b.finish();
}

std::vector<std::uint8_t> build_probe_delsa(std::uint32_t spi, std::uint32_t seq) {
  NlBuilder b(XFRM_MSG_DELSA, NLM_F_REQUEST | NLM_F_ACK, seq);
  xfrm_usersa_id id{};
  put_addr(id.daddr, kProbeDst);
  id.spi = htonl(spi);
  id.family = AF_INET;
  id.proto = IPPROTO_ESP;
  b.append(&id, sizeof id);
  xfrm_address_t src{};
  put_addr(src, kProbeSrc);
  b.attr(XFRMA_SRCADDR, &src, sizeof src);
  return b.finish();
}

std::string explain_newsa_error(int err, const std::string& extack) {
  std::string why = extack.empty() ? std::string(std::strerror(err)) : extack;
  switch (err) {
    case EPROTONOSUPPORT:
      return fmt::format("the kernel cannot install ESP SAs ({}): it has no ESP support "
                         "(CONFIG_INET_ESP/esp4 missing); use a kernel with ESP, or set "
                         "dataplane = none to negotiate without installing SAs", why);
    case EPERM:
    case EACCES:
      return fmt::format("installing an ESP SA was refused ({}): answerd needs CAP_NET_ADMIN for "
                         "dataplane = xfrm", why);
    case ENOSYS:
    case ENOENT:
    case EINVAL:
      return fmt::format("the kernel refused a test ESP SA with cbc(aes)/hmac(sha256) ({}): its "
                         "IPsec crypto is incomplete", why);
    default:
      return fmt::format("the kernel refused a test ESP SA: {}", why);
  }
}

expected<void, std::string> probe_xfrm_esp() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM));
  if (!fd) {
    if (errno == EPROTONOSUPPORT)
      return unexpected(std::string("the kernel has no XFRM netlink interface (CONFIG_XFRM_USER): "
                                    "dataplane = xfrm is impossible; use dataplane = none"));
    return unexpected(fmt::format("cannot open an XFRM netlink socket: {}", std::strerror(errno)));
  }
  int one = 1;
  ::setsockopt(fd.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  ::setsockopt(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  timeval tv{.tv_sec = 2, .tv_usec = 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::uint32_t spi = 0;
  if (::getrandom(&spi, sizeof spi, 0) != sizeof spi) spi = 0x5eed1234;
  spi |= 0x100;  // SPIs 0-255 are reserved (RFC 4303 2.1)
  std::string extack;
  int err = transact(fd.get(), build_probe_newsa(spi, 1), 1, extack);
  if (err == EEXIST) return {};  // someone's SA with this SPI: ESP works, and it is not ours to delete
  if (err != 0) return unexpected(explain_newsa_error(err, extack));
  std::string ignored;
  if (int derr = transact(fd.get(), build_probe_delsa(spi, 2), 2, ignored); derr != 0)
    return unexpected(fmt::format("the probe ESP SA (SPI 0x{:08x}) could not be deleted: {}", spi,
                                  std::strerror(derr)));
  return {};
}

}  // namespace answerd::daemon
