// Parsers of XFRM netlink replies and events (see xfrm_messages.h). Every length is
// checked before a struct is read: the kernel is trusted, but a short message must
// not be read past its end.
#include <libmnl/libmnl.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

#include <cstring>

#include "kernel/xfrm/xfrm_convert.h"
#include "kernel/xfrm/xfrm_messages.h"

namespace answerd::kernel::xfrm {
namespace {

struct Attrs {
  Mark mark{};
  std::uint32_t if_id = 0;
  std::vector<xfrm_user_tmpl> tmpls;
};

Attrs read_attrs(const nlmsghdr* nlh, std::size_t header_size) {
  Attrs out;
  const auto* attr =
      static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, header_size));
  const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  for (; mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr)));
       attr = mnl_attr_next(attr)) {
    const auto len = mnl_attr_get_payload_len(attr);
    const void* p = mnl_attr_get_payload(attr);
    switch (mnl_attr_get_type(attr)) {
      case XFRMA_MARK:
        if (len >= sizeof(xfrm_mark)) {
          xfrm_mark m{};
          std::memcpy(&m, p, sizeof(m));
          out.mark = {.value = m.v, .mask = m.m};
        }
        break;
      case XFRMA_IF_ID:
        if (len >= sizeof(std::uint32_t)) out.if_id = mnl_attr_get_u32(attr);
        break;
      case XFRMA_TMPL:
        for (std::size_t off = 0; off + sizeof(xfrm_user_tmpl) <= len;
             off += sizeof(xfrm_user_tmpl)) {
          xfrm_user_tmpl t{};
          std::memcpy(&t, static_cast<const std::uint8_t*>(p) + off, sizeof(t));
          out.tmpls.push_back(t);
        }
        break;
      default:
        break;
    }
  }
  return out;
}

template <class T>
bool fits(const nlmsghdr* nlh) {
  return nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(T));
}

SaInfo sa_info(const xfrm_usersa_info& sa, const Attrs& a) {
  SaInfo info;
  info.id.src = from_xaddr(sa.saddr, sa.family);
  info.id.dst = from_xaddr(sa.id.daddr, sa.family);
  info.id.spi = ike::EspSpi(ntohl(sa.id.spi));
  info.id.mark = a.mark;
  info.id.if_id = a.if_id;
  info.reqid = ike::Reqid(sa.reqid);
  info.mode = sa.mode == XFRM_MODE_TUNNEL ? IpsecMode::kTunnel : IpsecMode::kTransport;
  info.stats = {.bytes = sa.curlft.bytes,
                .packets = sa.curlft.packets,
                .add_time = sa.curlft.add_time,
                .use_time = sa.curlft.use_time};
  return info;
}

}  // namespace

std::optional<SaInfo> parse_sa(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != XFRM_MSG_NEWSA || !fits<xfrm_usersa_info>(nlh)) return std::nullopt;
  xfrm_usersa_info sa{};
  std::memcpy(&sa, mnl_nlmsg_get_payload(nlh), sizeof(sa));
  return sa_info(sa, read_attrs(nlh, sizeof(sa)));
}

std::optional<ExpireEvent> parse_expire(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != XFRM_MSG_EXPIRE || !fits<xfrm_user_expire>(nlh)) return std::nullopt;
  xfrm_user_expire ue{};
  std::memcpy(&ue, mnl_nlmsg_get_payload(nlh), sizeof(ue));
  const SaInfo info = sa_info(ue.state, read_attrs(nlh, sizeof(ue)));
  return ExpireEvent{.sa = info.id, .reqid = info.reqid, .hard = ue.hard != 0};
}

std::optional<AcquireEvent> parse_acquire(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != XFRM_MSG_ACQUIRE || !fits<xfrm_user_acquire>(nlh)) return std::nullopt;
  xfrm_user_acquire ua{};
  std::memcpy(&ua, mnl_nlmsg_get_payload(nlh), sizeof(ua));
  const Attrs a = read_attrs(nlh, sizeof(ua));
  AcquireEvent ev;
  ev.sel = from_selector(ua.sel);
  ev.src = from_xaddr(ua.saddr, ua.sel.family);  // no family field: the template's below
  ev.dst = from_xaddr(ua.id.daddr, ua.sel.family);
  if (!a.tmpls.empty()) {
    const xfrm_user_tmpl& t = a.tmpls.front();
    ev.src = from_xaddr(t.saddr, t.family);
    ev.dst = from_xaddr(t.id.daddr, t.family);
    ev.reqid = ike::Reqid(t.reqid);
  }
  return ev;
}

std::optional<PolicyInfo> parse_policy(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY || !fits<xfrm_userpolicy_info>(nlh))
    return std::nullopt;
  xfrm_userpolicy_info p{};
  std::memcpy(&p, mnl_nlmsg_get_payload(nlh), sizeof(p));
  const Attrs a = read_attrs(nlh, sizeof(p));
  PolicyInfo info;
  info.sel = from_selector(p.sel);
  info.dir = from_xfrm_dir(p.dir);
  info.index = p.index;
  info.priority = p.priority;
  info.mark = a.mark;
  info.if_id = a.if_id;
  for (const auto& t : a.tmpls) info.tmpl_reqids.push_back(ike::Reqid(t.reqid));
  return info;
}

}  // namespace answerd::kernel::xfrm
