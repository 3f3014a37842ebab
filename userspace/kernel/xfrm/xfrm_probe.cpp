// Kernel support probe (see xfrm_probe.h).
#include "kernel/xfrm/xfrm_probe.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <string>
#include <vector>

#include "kernel/xfrm/xfrm_algorithms.h"
#include "kernel/xfrm/xfrm_messages.h"

namespace answerd::kernel::xfrm {
namespace {

struct ProbeAlg {
  ike::EncrId encr;
  std::size_t encr_key;  // bytes, with salt for AEAD
  ike::IntegId integ;
  std::size_t integ_key;
};

constexpr std::array kProbeAlgs{
    ProbeAlg{ike::EncrId::kAesCbc, 16, ike::IntegId::kHmacSha2_256_128, 32},
    ProbeAlg{ike::EncrId::kAesCbc, 16, ike::IntegId::kHmacSha2_384_192, 48},
    ProbeAlg{ike::EncrId::kAesCbc, 16, ike::IntegId::kHmacSha2_512_256, 64},
    ProbeAlg{ike::EncrId::kAesCbc, 16, ike::IntegId::kHmacSha1_96, 20},
    ProbeAlg{ike::EncrId::kAesGcm16, 20, ike::IntegId::kNone, 0},
    ProbeAlg{ike::EncrId::kChacha20Poly1305, 36, ike::IntegId::kNone, 0},
};

IpAddress test_net(std::uint8_t last) {
  IpAddress a{};
  a.family = 4;
  a.bytes = {192, 0, 2, last};
  return a;
}

std::uint32_t random_spi() {
  std::uint32_t r = 0;
  if (getrandom(&r, sizeof(r), 0) != sizeof(r)) r = static_cast<std::uint32_t>(getpid());
  return kSpiMin | (r & (kSpiMax - kSpiMin));
}

std::string alg_label(const ProbeAlg& a) {
  std::string s(encr_alg(a.encr)->name);
  if (a.integ != ike::IntegId::kNone) s += "+" + std::string(integ_alg(a.integ)->name);
  return s;
}

// NEWSA + DELSA of one throwaway SA. Keys are zero: the SA never carries traffic.
IpsecResult<void> try_sa(NlSocket& s, const ProbeAlg& a) {
  const std::vector<std::uint8_t> ekey(a.encr_key, 0), ikey(a.integ_key, 0);
  const SaId id{.src = test_net(1), .dst = test_net(2), .spi = ike::EspSpi(random_spi())};
  const SaData d{.reqid = kProbeReqid,
                 .mode = IpsecMode::kTransport,
                 .encr = {.id = a.encr, .key_bits = 0, .key = ekey},
                 .integ = {.id = a.integ, .key = ikey},
                 .replay_window = 0};
  auto msg = build_newsa(id, d, s.next_seq());
  if (!msg) return unexpected(msg.error());
  auto r = s.request(*msg);
  if (!r) return r;
  (void)s.request(build_delsa(id, s.next_seq()));
  return {};
}

bool probe_xfrm_interface() {
  auto s = NlSocket::open(NETLINK_ROUTE);
  if (!s) return false;
  const std::string name = "answerd-p" + std::to_string(getpid() % 100000);
  if (!s->request(build_newlink_xfrm(name, kProbeReqid.value(), s->next_seq()))) return false;
  (void)s->request(build_dellink(name, s->next_seq()));
  return true;
}

void add_unique(std::vector<ike::EncrId>& v, ike::EncrId id) {
  for (auto x : v)
    if (x == id) return;
  v.push_back(id);
}

}  // namespace

std::string explain_probe_error(const IpsecError& e) {
  switch (e.code) {
    case EPROTONOSUPPORT:
      return std::string(kNoEspMessage);
    case EPERM:
    case EACCES:
      return "no permission to install ESP SAs (needs CAP_NET_ADMIN): " + e.message;
    case ENOSYS:
    case ENOENT:
      return "kernel crypto for ESP is missing (" + e.message + ")";
    default:
      return "kernel refused a test ESP SA: " + e.message;
  }
}

IpsecResult<Capabilities> probe_kernel(NlSocket& xfrm) {
  Capabilities caps{.installs_sas = true};
  std::string failures;
  for (const auto& a : kProbeAlgs) {
    auto r = try_sa(xfrm, a);
    if (!r) {
      if (r.error().code == EPROTONOSUPPORT || r.error().code == EPERM)
        return unexpected(IpsecError{.code = r.error().code,
                                     .message = explain_probe_error(r.error())});
      failures += (failures.empty() ? "" : "; ") + alg_label(a) + ": " + r.error().message;
      continue;
    }
    if (a.encr == ike::EncrId::kAesGcm16) {
      add_unique(caps.encr, ike::EncrId::kAesGcm16);
      add_unique(caps.encr, ike::EncrId::kAesGcm12);
      add_unique(caps.encr, ike::EncrId::kAesGcm8);
    } else {
      add_unique(caps.encr, a.encr);
    }
    if (a.integ != ike::IntegId::kNone) caps.integ.push_back(a.integ);
  }
  if (caps.encr.empty())
    return unexpected(IpsecError{
        .code = ENOENT,
        .message = "kernel has ESP but no usable ESP algorithm (" + failures + ")"});
  caps.xfrm_interfaces = probe_xfrm_interface();
  return caps;
}

NlMessage build_newlink_xfrm(std::string_view name, std::uint32_t if_id, std::uint32_t seq) {
  NlMessage m(4096);
  nlmsghdr* nlh = mnl_nlmsg_put_header(m.data());
  nlh->nlmsg_type = RTM_NEWLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  nlh->nlmsg_seq = seq;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  const std::string n(name);
  mnl_attr_put_strz(nlh, IFLA_IFNAME, n.c_str());
  nlattr* linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "xfrm");
  nlattr* data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
  mnl_attr_put_u32(nlh, IFLA_XFRM_IF_ID, if_id);
  mnl_attr_nest_end(nlh, data);
  mnl_attr_nest_end(nlh, linkinfo);
  return m;
}

NlMessage build_dellink(std::string_view name, std::uint32_t seq) {
  NlMessage m(4096);
  nlmsghdr* nlh = mnl_nlmsg_put_header(m.data());
  nlh->nlmsg_type = RTM_DELLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  nlh->nlmsg_seq = seq;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  const std::string n(name);
  mnl_attr_put_strz(nlh, IFLA_IFNAME, n.c_str());
  return m;
}

}  // namespace answerd::kernel::xfrm
