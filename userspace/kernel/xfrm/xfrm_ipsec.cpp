// XfrmIpsec request and event handling (see xfrm_ipsec.h).
#include "kernel/xfrm/xfrm_ipsec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/xfrm.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "kernel/xfrm/xfrm_messages.h"
#include "kernel/xfrm/xfrm_probe.h"

namespace answerd::kernel::xfrm {
namespace {

IpsecError with_context(IpsecError e, const std::string& what) {
  e.message = what + ": " + e.message;
  return e;
}

std::string addr_text(const IpAddress& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(a.family == 6 ? AF_INET6 : AF_INET, a.bytes.data(), buf, sizeof(buf));
  return buf;
}

std::string sa_name(const SaId& id) {
  char spi[16];
  std::snprintf(spi, sizeof(spi), "%08x", id.spi.value());
  return "ESP SA " + addr_text(id.src) + " -> " + addr_text(id.dst) +
         " SPI 0x" + spi;
}

bool owned_policy(const PolicyInfo& p) {
  for (auto r : p.tmpl_reqids)
    if (is_owned_reqid(r)) return true;
  return false;
}

}  // namespace

IpsecResult<std::unique_ptr<XfrmIpsec>> XfrmIpsec::open_unprobed() {
  auto req = NlSocket::open(NETLINK_XFRM);
  if (!req) return unexpected(req.error());
  auto ev = NlSocket::open(NETLINK_XFRM, {XFRMNLGRP_EXPIRE, XFRMNLGRP_ACQUIRE});
  if (!ev) return unexpected(ev.error());
  return std::unique_ptr<XfrmIpsec>(new XfrmIpsec(std::move(*req), std::move(*ev)));
}

IpsecResult<std::unique_ptr<XfrmIpsec>> XfrmIpsec::open() {
  auto x = open_unprobed();
  if (!x) return x;
  auto caps = probe_kernel((*x)->req_);
  if (!caps) return unexpected(caps.error());
  (*x)->caps_ = std::move(*caps);
  return x;
}

IpsecResult<ike::EspSpi> XfrmIpsec::alloc_spi(const IpAddress& src, const IpAddress& dst,
                                              ike::Reqid reqid) {
  std::optional<ike::EspSpi> spi;
  auto r = req_.request(build_allocspi(src, dst, reqid, req_.next_seq()),
                        [&](const nlmsghdr* nlh) {
                          if (auto sa = parse_sa(nlh)) spi = sa->id.spi;
                        });
  if (!r) return unexpected(with_context(r.error(), "XFRM_MSG_ALLOCSPI"));
  if (!spi) return unexpected(IpsecError{.code = EBADMSG, .message = "XFRM_MSG_ALLOCSPI: no SA in the reply"});
  return *spi;
}

IpsecResult<void> XfrmIpsec::add_sa(const SaId& id, const SaData& data) {
  auto msg = build_newsa(id, data, req_.next_seq());
  if (!msg) return unexpected(with_context(msg.error(), sa_name(id)));
  auto r = req_.request(*msg);
  if (!r) return unexpected(with_context(r.error(), (data.update ? "updating " : "adding ") + sa_name(id)));
  return {};
}

IpsecResult<void> XfrmIpsec::del_sa(const SaId& id) {
  auto r = req_.request(build_delsa(id, req_.next_seq()));
  if (!r) return unexpected(with_context(r.error(), "deleting " + sa_name(id)));
  return {};
}

IpsecResult<SaStats> XfrmIpsec::query_sa(const SaId& id) {
  std::optional<SaStats> stats;
  auto r = req_.request(build_getsa(id, req_.next_seq()), [&](const nlmsghdr* nlh) {
    if (auto sa = parse_sa(nlh)) stats = sa->stats;
  });
  if (!r) return unexpected(with_context(r.error(), "querying " + sa_name(id)));
  if (!stats) return unexpected(IpsecError{.code = EBADMSG, .message = "XFRM_MSG_GETSA: no SA in the reply"});
  return *stats;
}

// strongSwan's update_sa() way: read the SA back (GETSA reports its keys and replay
// state), then UPDSA with the new encap when only the ports moved; when an address
// moved the SA is re-created (UPDSA cannot change addresses, and the inbound
// policy check compares the SA's source with the template's): NEWSA at the new
// destination before DELSA of the old SA when the kernel key (dst, SPI) changes,
// DELSA before NEWSA when it stays (a second SA with that key cannot exist).
// The engine never keeps keys for this.
IpsecResult<void> XfrmIpsec::update_sa(const SaId& id, const SaId& to, const UdpEncap& encap) {
  NlMessage current;
  auto r = req_.request(build_getsa(id, req_.next_seq()), [&](const nlmsghdr* nlh) {
    if (nlh->nlmsg_type != XFRM_MSG_NEWSA || current.capacity() != 0) return;
    NlMessage copy(nlh->nlmsg_len);
    std::memcpy(copy.data(), nlh, nlh->nlmsg_len);
    current = std::move(copy);
  });
  if (!r) return unexpected(with_context(r.error(), "reading " + sa_name(id)));
  if (current.capacity() == 0)
    return unexpected(IpsecError{.code = EBADMSG, .message = "XFRM_MSG_GETSA: no SA in the reply"});
  auto msg = build_moved_sa(current.header(), to, encap, req_.next_seq());
  if (!msg) return unexpected(with_context(msg.error(), sa_name(id)));
  const bool recreate = msg->header()->nlmsg_type == XFRM_MSG_NEWSA;
  const bool same_key = id.dst == to.dst;
  if (recreate && same_key) {
    r = req_.request(build_delsa(id, req_.next_seq()));
    if (!r) return unexpected(with_context(r.error(), "deleting " + sa_name(id) + " to move it"));
  }
  r = req_.request(*msg);
  if (!r) return unexpected(with_context(r.error(), "moving " + sa_name(id) + " to " + sa_name(to)));
  if (!recreate || same_key) return {};
  r = req_.request(build_delsa(id, req_.next_seq()));
  if (!r && r.error().code != ESRCH) return unexpected(with_context(r.error(), "deleting the moved " + sa_name(id)));
  return {};
}

IpsecResult<void> XfrmIpsec::add_policy(const PolicyId& id, const PolicyData& data) {
  auto r = req_.request(build_newpolicy(id, data, req_.next_seq()));
  if (!r) return unexpected(with_context(r.error(), "adding policy"));
  return {};
}

IpsecResult<void> XfrmIpsec::del_policy(const PolicyId& id) {
  auto r = req_.request(build_delpolicy(id, req_.next_seq()));
  if (!r) return unexpected(with_context(r.error(), "deleting policy"));
  return {};
}

IpsecResult<std::size_t> XfrmIpsec::flush_owned() {
  std::vector<SaId> sas;
  auto r = req_.request(build_dump(XFRM_MSG_GETSA, req_.next_seq()), [&](const nlmsghdr* nlh) {
    if (auto sa = parse_sa(nlh); sa && is_owned_reqid(sa->reqid)) sas.push_back(sa->id);
  });
  if (!r) return unexpected(with_context(r.error(), "dumping SAs"));
  std::vector<PolicyInfo> pols;
  r = req_.request(build_dump(XFRM_MSG_GETPOLICY, req_.next_seq()), [&](const nlmsghdr* nlh) {
    if (auto p = parse_policy(nlh); p && owned_policy(*p)) pols.push_back(std::move(*p));
  });
  if (!r) return unexpected(with_context(r.error(), "dumping policies"));
  std::size_t removed = 0;
  for (const auto& p : pols) {
    auto d = req_.request(build_delpolicy_index(p.index, p.dir, p.mark, p.if_id, req_.next_seq()));
    if (d) ++removed;
    else if (d.error().code != ENOENT) return unexpected(with_context(d.error(), "flushing a policy"));
  }
  for (const auto& id : sas) {
    auto d = req_.request(build_delsa(id, req_.next_seq()));
    if (d) ++removed;
    else if (d.error().code != ESRCH && d.error().code != ENOENT)
      return unexpected(with_context(d.error(), "flushing " + sa_name(id)));
  }
  return removed;
}

void XfrmIpsec::dispatch_events() {
  (void)events_.drain([&](const nlmsghdr* nlh) {
    if (auto e = parse_expire(nlh)) {
      ++(e->hard ? counts_.hard_expires : counts_.soft_expires);
      if (!is_owned_reqid(e->reqid)) ++counts_.foreign;
      else if (handler_.on_expire) handler_.on_expire(*e);
    } else if (auto a = parse_acquire(nlh)) {
      ++counts_.acquires;
      if (!is_owned_reqid(a->reqid)) ++counts_.foreign;
      else if (handler_.on_acquire) handler_.on_acquire(*a);
    }
  });
}

}  // namespace answerd::kernel::xfrm
