// Builders of XFRM netlink requests (see xfrm_messages.h). Layouts: linux/xfrm.h;
// which attributes each request carries follows iproute2's ip/xfrm_state.c and
// strongSwan's kernel_netlink_ipsec.c.
#include "kernel/xfrm/xfrm_messages.h"

#include <libmnl/libmnl.h>
#include <linux/udp.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <string.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "kernel/xfrm/xfrm_algorithms.h"
#include "kernel/xfrm/xfrm_convert.h"

namespace answerd::kernel::xfrm {
namespace {

constexpr std::size_t kBufSize = 16384;  // larger than any request built here

template <class T>
T* start(NlMessage& m, std::uint16_t type, std::uint16_t flags, std::uint32_t seq) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(m.data());
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = flags;
  nlh->nlmsg_seq = seq;
  return static_cast<T*>(mnl_nlmsg_put_extra_header(nlh, sizeof(T)));
}

std::uint64_t limit(std::uint64_t v) { return v == 0 ? XFRM_INF : v; }

void fill_lifetimes(xfrm_lifetime_cfg& lft, const SaData& d) {
  lft.soft_byte_limit = limit(d.soft.bytes);
  lft.hard_byte_limit = limit(d.hard.bytes);
  lft.soft_packet_limit = limit(d.soft.packets);
  lft.hard_packet_limit = limit(d.hard.packets);
  lft.soft_add_expires_seconds = d.soft.seconds;  // 0: no limit for time
  lft.hard_add_expires_seconds = d.hard.seconds;
}

void put_mark(nlmsghdr* nlh, const Mark& mark) {
  if (mark.mask == 0 && mark.value == 0) return;
  auto m = zeroed<xfrm_mark>();
  m.v = mark.value;
  m.m = mark.mask;
  mnl_attr_put(nlh, XFRMA_MARK, sizeof(m), &m);
}

void put_if_id(nlmsghdr* nlh, std::uint32_t if_id) {
  if (if_id != 0) mnl_attr_put_u32(nlh, XFRMA_IF_ID, if_id);
}

IpsecError bad(std::string msg) { return IpsecError{.code = 0, .message = std::move(msg)}; }

// XFRMA_ALG_AEAD, or XFRMA_ALG_CRYPT + XFRMA_ALG_AUTH_TRUNC.
IpsecResult<void> put_algorithms(nlmsghdr* nlh, const SaData& d) {
  const auto encr = encr_alg(d.encr.id);
  if (!encr)
    return unexpected(bad("ESP encryption transform " +
                          std::to_string(static_cast<unsigned>(d.encr.id)) +
                          " is not supported by the XFRM backend"));
  const std::size_t key_len = d.encr.key.size();
  const std::size_t cipher_len = key_len >= encr->salt_bytes ? key_len - encr->salt_bytes : 0;
  if (d.encr.key_bits != 0 && cipher_len * 8 != d.encr.key_bits)
    return unexpected(bad("ESP encryption key is " + std::to_string(key_len) +
                          " bytes, not " + std::to_string(d.encr.key_bits / 8) + " + " +
                          std::to_string(encr->salt_bytes) + " (salt)"));
  if (cipher_len == 0) return unexpected(bad("ESP encryption key is empty"));
  if (encr->aead) {
    if (d.integ.id != ike::IntegId::kNone)
      return unexpected(bad("an AEAD cipher takes no separate integrity transform"));
    std::vector<std::uint8_t> a(sizeof(xfrm_algo_aead) + key_len, 0);
    auto* alg = reinterpret_cast<xfrm_algo_aead*>(a.data());
    std::memcpy(alg->alg_name, encr->name.data(), encr->name.size());
    alg->alg_key_len = static_cast<unsigned>(key_len * 8);
    alg->alg_icv_len = encr->icv_bits;
    std::memcpy(a.data() + sizeof(xfrm_algo_aead), d.encr.key.data(), key_len);
    mnl_attr_put(nlh, XFRMA_ALG_AEAD, a.size(), a.data());
    explicit_bzero(a.data(), a.size());
    return {};
  }
  const auto integ = integ_alg(d.integ.id);
  if (!integ)
    return unexpected(bad("ESP integrity transform " +
                          std::to_string(static_cast<unsigned>(d.integ.id)) +
                          " is not supported by the XFRM backend"));
  if (d.integ.key.size() != integ->key_bytes)
    return unexpected(bad("ESP integrity key is " + std::to_string(d.integ.key.size()) +
                          " bytes, " + std::string(integ->name) + " needs " +
                          std::to_string(integ->key_bytes)));
  std::vector<std::uint8_t> c(sizeof(xfrm_algo) + key_len, 0);
  auto* calg = reinterpret_cast<xfrm_algo*>(c.data());
  std::memcpy(calg->alg_name, encr->name.data(), encr->name.size());
  calg->alg_key_len = static_cast<unsigned>(key_len * 8);
  std::memcpy(c.data() + sizeof(xfrm_algo), d.encr.key.data(), key_len);
  mnl_attr_put(nlh, XFRMA_ALG_CRYPT, c.size(), c.data());
  explicit_bzero(c.data(), c.size());

  const std::size_t ikey = d.integ.key.size();
  std::vector<std::uint8_t> i(sizeof(xfrm_algo_auth) + ikey, 0);
  auto* ialg = reinterpret_cast<xfrm_algo_auth*>(i.data());
  std::memcpy(ialg->alg_name, integ->name.data(), integ->name.size());
  ialg->alg_key_len = static_cast<unsigned>(ikey * 8);
  ialg->alg_trunc_len = integ->trunc_bits;
  std::memcpy(i.data() + sizeof(xfrm_algo_auth), d.integ.key.data(), ikey);
  mnl_attr_put(nlh, XFRMA_ALG_AUTH_TRUNC, i.size(), i.data());
  explicit_bzero(i.data(), i.size());
  return {};
}

// ESN or a window beyond the 8-bit legacy field: XFRMA_REPLAY_ESN_VAL, with the
// legacy field 0 (the kernel requires it). ESN needs a window of at least 1.
void put_replay(nlmsghdr* nlh, xfrm_usersa_info& sa, const SaData& d) {
  std::uint32_t window = d.replay_window;
  if (!d.esn && window <= 255) {
    sa.replay_window = static_cast<std::uint8_t>(window);
    return;
  }
  if (d.esn) window = std::max<std::uint32_t>(window, 1);
  window = std::min<std::uint32_t>(window, XFRMA_REPLAY_ESN_MAX * 8);
  const std::uint32_t bmp_len = (window + 31) / 32;
  std::vector<std::uint8_t> r(sizeof(xfrm_replay_state_esn) + bmp_len * 4, 0);
  auto* rs = reinterpret_cast<xfrm_replay_state_esn*>(r.data());
  rs->bmp_len = bmp_len;
  rs->replay_window = window;
  mnl_attr_put(nlh, XFRMA_REPLAY_ESN_VAL, r.size(), r.data());
  if (d.esn) sa.flags |= XFRM_STATE_ESN;
}

void fill_usersa_id(xfrm_usersa_id& uid, const SaId& id) {
  uid.daddr = to_xaddr(id.dst);
  uid.spi = htonl(id.spi.value());
  uid.family = to_af(id.dst);
  uid.proto = IPPROTO_ESP;
}

NlMessage sa_id_request(std::uint16_t type, std::uint16_t flags, const SaId& id,
                        std::uint32_t seq) {
  NlMessage m(kBufSize);
  auto* uid = start<xfrm_usersa_id>(m, type, flags, seq);
  fill_usersa_id(*uid, id);
  const xfrm_address_t src = to_xaddr(id.src);
  mnl_attr_put(m.header(), XFRMA_SRCADDR, sizeof(src), &src);
  put_mark(m.header(), id.mark);
  return m;
}

}  // namespace

NlMessage build_allocspi(const IpAddress& src, const IpAddress& dst, ike::Reqid reqid,
                         std::uint32_t seq) {
  NlMessage m(kBufSize);
  auto* u = start<xfrm_userspi_info>(m, XFRM_MSG_ALLOCSPI, NLM_F_REQUEST, seq);
  u->info.saddr = to_xaddr(src);
  u->info.id.daddr = to_xaddr(dst);
  u->info.id.proto = IPPROTO_ESP;
  u->info.family = to_af(dst);
  u->info.reqid = reqid.value();
  u->min = kSpiMin;
  u->max = kSpiMax;
  return m;
}

IpsecResult<NlMessage> build_newsa(const SaId& id, const SaData& d, std::uint32_t seq) {
  if (id.src.family != id.dst.family)
    return unexpected(bad("SA outer addresses are of different families"));
  NlMessage m(kBufSize);
  auto* sa = start<xfrm_usersa_info>(m, d.update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA,
                                     NLM_F_REQUEST | NLM_F_ACK, seq);
  sa->saddr = to_xaddr(id.src);
  sa->id.daddr = to_xaddr(id.dst);
  sa->id.spi = htonl(id.spi.value());
  sa->id.proto = IPPROTO_ESP;
  sa->family = to_af(id.dst);
  sa->reqid = d.reqid.value();
  sa->mode = d.mode == IpsecMode::kTunnel ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
  if (d.selector) sa->sel = to_selector(*d.selector);
  // Tunnel mode carries inner traffic of either family (4-in-6, 6-in-4).
  if (d.mode == IpsecMode::kTunnel) sa->flags |= XFRM_STATE_AF_UNSPEC;
  fill_lifetimes(sa->lft, d);

  nlmsghdr* nlh = m.header();
  auto algs = put_algorithms(nlh, d);
  if (!algs) return unexpected(algs.error());
  put_replay(nlh, *sa, d);
  if (d.encap) {
    auto e = zeroed<xfrm_encap_tmpl>();
    e.encap_type = UDP_ENCAP_ESPINUDP;
    e.encap_sport = htons(d.encap->src_port);
    e.encap_dport = htons(d.encap->dst_port);
    mnl_attr_put(nlh, XFRMA_ENCAP, sizeof(e), &e);
  }
  put_mark(nlh, id.mark);
  put_if_id(nlh, id.if_id);
  return m;
}

IpsecResult<NlMessage> build_moved_sa(const nlmsghdr* current, const SaId& to,
                                      const UdpEncap& encap, std::uint32_t seq) {
  if (current->nlmsg_type != XFRM_MSG_NEWSA ||
      mnl_nlmsg_get_payload_len(current) < sizeof(xfrm_usersa_info))
    return unexpected(bad("the kernel's SA report is not an XFRM_MSG_NEWSA"));
  if (to.src.family != to.dst.family)
    return unexpected(bad("SA outer addresses are of different families"));
  xfrm_usersa_info cur;
  std::memcpy(&cur, mnl_nlmsg_get_payload(current), sizeof(cur));
  // UPDSA changes the encap of an SA in place but neither of its addresses.
  const bool ports_only = cur.family == to_af(to.dst) && from_xaddr(cur.id.daddr, cur.family) == to.dst &&
                          from_xaddr(cur.saddr, cur.family) == to.src;
  NlMessage m(kBufSize);
  auto* sa = start<xfrm_usersa_info>(m, ports_only ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA,
                                     NLM_F_REQUEST | NLM_F_ACK, seq);
  *sa = cur;
  sa->saddr = to_xaddr(to.src);
  sa->id.daddr = to_xaddr(to.dst);
  sa->family = to_af(to.dst);
  nlmsghdr* nlh = m.header();
  auto e = zeroed<xfrm_encap_tmpl>();
  e.encap_type = UDP_ENCAP_ESPINUDP;
  const auto* attr =
      static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(current, sizeof(xfrm_usersa_info)));
  const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(current));
  for (; mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr)));
       attr = mnl_attr_next(attr)) {
    const auto type = mnl_attr_get_type(attr);
    const auto len = mnl_attr_get_payload_len(attr);
    if (type == XFRMA_ENCAP) {  // replaced below, keeping the kernel's encap type
      if (len >= sizeof(xfrm_encap_tmpl)) {
        xfrm_encap_tmpl old{};
        std::memcpy(&old, mnl_attr_get_payload(attr), sizeof(old));
        e.encap_type = old.encap_type;
      }
      continue;
    }
    if (nlh->nlmsg_len + MNL_ALIGN(MNL_ATTR_HDRLEN + len) + MNL_ALIGN(MNL_ATTR_HDRLEN + sizeof(e)) > kBufSize)
      return unexpected(bad("the kernel's SA report is too large"));
    mnl_attr_put(nlh, type, len, mnl_attr_get_payload(attr));
  }
  e.encap_sport = htons(encap.src_port);
  e.encap_dport = htons(encap.dst_port);
  mnl_attr_put(nlh, XFRMA_ENCAP, sizeof(e), &e);
  return m;
}

NlMessage build_delsa(const SaId& id, std::uint32_t seq) {
  return sa_id_request(XFRM_MSG_DELSA, NLM_F_REQUEST | NLM_F_ACK, id, seq);
}

NlMessage build_getsa(const SaId& id, std::uint32_t seq) {
  return sa_id_request(XFRM_MSG_GETSA, NLM_F_REQUEST, id, seq);
}

std::uint32_t default_priority(const Selector& sel) {
  // strongSwan's scheme in spirit: a base minus specificity (prefix lengths weigh
  // most, then protocol, then ports).
  std::uint32_t prio = 200000;
  prio -= (static_cast<std::uint32_t>(sel.src.len) + sel.dst.len) * 256;
  if (sel.proto != 0) prio -= 128;
  if (sel.src_port != 0) prio -= 32;
  if (sel.dst_port != 0) prio -= 32;
  return prio;
}

NlMessage build_newpolicy(const PolicyId& id, const PolicyData& d, std::uint32_t seq) {
  NlMessage m(kBufSize);
  auto* p = start<xfrm_userpolicy_info>(m, d.update ? XFRM_MSG_UPDPOLICY : XFRM_MSG_NEWPOLICY,
                                       NLM_F_REQUEST | NLM_F_ACK, seq);
  p->sel = to_selector(id.sel);
  p->lft.soft_byte_limit = XFRM_INF;
  p->lft.hard_byte_limit = XFRM_INF;
  p->lft.soft_packet_limit = XFRM_INF;
  p->lft.hard_packet_limit = XFRM_INF;
  p->priority = d.priority != 0 ? d.priority : default_priority(id.sel);
  p->dir = to_xfrm_dir(id.dir);
  p->action = d.action == PolicyAction::kDrop ? XFRM_POLICY_BLOCK : XFRM_POLICY_ALLOW;
  p->share = XFRM_SHARE_ANY;
  nlmsghdr* nlh = m.header();
  if (d.action == PolicyAction::kProtect) {
    auto t = zeroed<xfrm_user_tmpl>();
    t.id.daddr = to_xaddr(d.sa.dst);
    t.id.proto = IPPROTO_ESP;
    t.family = to_af(d.sa.dst);
    t.saddr = to_xaddr(d.sa.src);
    t.reqid = d.sa.reqid.value();
    t.mode = d.sa.mode == IpsecMode::kTunnel ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
    t.aalgos = ~0u;
    t.ealgos = ~0u;
    t.calgos = ~0u;
    mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
  }
  put_mark(nlh, id.mark);
  put_if_id(nlh, id.if_id);
  return m;
}

NlMessage build_delpolicy(const PolicyId& id, std::uint32_t seq) {
  NlMessage m(kBufSize);
  auto* p = start<xfrm_userpolicy_id>(m, XFRM_MSG_DELPOLICY, NLM_F_REQUEST | NLM_F_ACK, seq);
  p->sel = to_selector(id.sel);
  p->dir = to_xfrm_dir(id.dir);
  put_mark(m.header(), id.mark);
  put_if_id(m.header(), id.if_id);
  return m;
}

NlMessage build_delpolicy_index(std::uint32_t index, PolicyDir dir, const Mark& mark,
                                std::uint32_t if_id, std::uint32_t seq) {
  NlMessage m(kBufSize);
  auto* p = start<xfrm_userpolicy_id>(m, XFRM_MSG_DELPOLICY, NLM_F_REQUEST | NLM_F_ACK, seq);
  p->index = index;
  p->dir = to_xfrm_dir(dir);
  put_mark(m.header(), mark);
  put_if_id(m.header(), if_id);
  return m;
}

NlMessage build_dump(std::uint16_t type, std::uint32_t seq) {
  NlMessage m(kBufSize);
  nlmsghdr* nlh = mnl_nlmsg_put_header(m.data());
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = seq;
  return m;
}

}  // namespace answerd::kernel::xfrm
