// XdpControl (see xdp_control.h).
#include "daemon/xdp_control.h"

#include "kernel/xdp/xdp_program.h"
#include "log/log.h"

#include <fmt/format.h>

#include <cstring>

namespace answerd::daemon {
namespace {

namespace kx = kernel::xdp;
using log::Subsys;

answer_config config_of(const XdpSetup& s) {
  answer_config c = kx::default_config();
  c.ike_port = s.ike_port;
  c.natt_port = s.natt_port;
  c.init_rate = s.init_rate;
  c.init_burst = s.init_burst;
  c.flags = s.allowlist ? (c.flags | ANSWER_CFG_ALLOWLIST) : (c.flags & ~ANSWER_CFG_ALLOWLIST);
  return c;
}

// The maps' 16-byte address form: IPv6 as is (mapped stays mapped), IPv4 mapped.
answer_addr map_addr(const IpAddress& a) {
  answer_addr m{};
  if (a.family == AF_INET) {
    m.addr[10] = m.addr[11] = 0xff;
    std::memcpy(m.addr + 12, a.bytes.data(), 4);
  } else {
    std::memcpy(m.addr, a.bytes.data(), sizeof(m.addr));
  }
  return m;
}

}  // namespace

struct XdpControl::Impl {
  kx::XdpProgram prog;
  XdpSetup setup;
  std::uint64_t inflight_set = 0, inflight_cleared = 0, map_errors = 0;
  std::uint64_t outstanding_added = 0, outstanding_removed = 0;
};

XdpControl::XdpControl(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
XdpControl::~XdpControl() = default;

expected<std::unique_ptr<XdpControl>, std::string> XdpControl::start(const XdpSetup& setup) {
  auto prog = kx::XdpProgram::load({.bpffs = setup.bpffs, .mount_bpffs = true});
  if (!prog) return unexpected(fmt::format("loading the XDP program (bpffs {}): {}", setup.bpffs,
                                           prog.error().message));
  std::unique_ptr<XdpControl> x(new XdpControl(std::make_unique<Impl>(Impl{std::move(*prog), setup})));
  if (auto r = x->apply(setup); !r) return unexpected(r.error());
  const auto mode = setup.generic ? kx::AttachMode::kGeneric : kx::AttachMode::kNative;
  for (const auto& ifname : setup.interfaces) {
    if (auto r = x->impl_->prog.attach(ifname, mode); !r)
      return unexpected(fmt::format("attaching XDP ({} mode) to interface {}: {}",
                                    setup.generic ? "generic" : "native", ifname, r.error().message));
    log::info(Subsys::xdp, "XDP filter attached to {} ({} mode, bpffs {})", ifname,
              setup.generic ? "generic" : "native", setup.bpffs);
  }
  return x;
}

expected<void, std::string> XdpControl::apply(const XdpSetup& setup) {
  auto& maps = impl_->prog.maps();
  if (auto r = maps.set_config(config_of(setup)); !r)
    return unexpected(fmt::format("writing the XDP config map: {}", r.error().message));
  if (auto r = maps.allow_clear(); !r)
    return unexpected(fmt::format("clearing the XDP allowlist: {}", r.error().message));
  for (const auto& p : setup.allow) {
    answer_allow_key k{};
    k.prefixlen = p.prefixlen;
    std::memcpy(k.addr, p.addr.data(), sizeof(k.addr));
    if (auto r = maps.allow_add(k); !r)
      return unexpected(fmt::format("adding to the XDP allowlist: {}", r.error().message));
  }
  // Interfaces, mode and bpffs only change with a restart (Daemon::reload says so).
  impl_->setup.ike_port = setup.ike_port;
  impl_->setup.natt_port = setup.natt_port;
  impl_->setup.init_rate = setup.init_rate;
  impl_->setup.init_burst = setup.init_burst;
  impl_->setup.allowlist = setup.allowlist;
  impl_->setup.allow = setup.allow;
  log::info(Subsys::xdp, "XDP config: ports {}/{}, init_rate {}, init_burst {}, allowlist {} ({} prefixes)",
            setup.ike_port, setup.natt_port, setup.init_rate, setup.init_burst,
            setup.allowlist ? "on" : "off", setup.allow.size());
  return {};
}

nlohmann::json XdpControl::status() const {
  const auto& s = impl_->setup;
  auto ifs = nlohmann::json::array();
  for (const auto& i : impl_->prog.interfaces())
    ifs.push_back({{"ifname", i}, {"mode", s.generic ? "generic" : "native"}});
  return {{"attached", std::move(ifs)},       {"bpffs", impl_->prog.bpffs()},
          {"allowlist", s.allowlist},         {"allow_prefixes", s.allow.size()},
          {"init_rate", s.init_rate},         {"init_burst", s.init_burst},
          {"ports", {s.ike_port, s.natt_port}},
          {"inflight", {{"set", impl_->inflight_set}, {"cleared", impl_->inflight_cleared},
                        {"map_errors", impl_->map_errors}}},
          {"outstanding", {{"added", impl_->outstanding_added}, {"removed", impl_->outstanding_removed}}}};
}

void XdpControl::inflight_set(const Endpoint& peer, ike::IkeSpi spi_i) {
  if (auto r = impl_->prog.maps().inflight_set(map_addr(peer.addr), peer.port, spi_i); !r) {
    ++impl_->map_errors;
    log::debug(Subsys::xdp, "inflight {}: {}", peer.to_string(), r.error().message);
    return;
  }
  ++impl_->inflight_set;
}

void XdpControl::inflight_clear(const Endpoint& peer, ike::IkeSpi spi_i) {
  auto r = impl_->prog.maps().inflight_clear(map_addr(peer.addr), peer.port, spi_i);
  if (!r) {
    ++impl_->map_errors;
    log::debug(Subsys::xdp, "inflight clear {}: {}", peer.to_string(), r.error().message);
  } else if (*r) {
    ++impl_->inflight_cleared;
  }
}

void XdpControl::outstanding_add(ike::IkeSpi spi_i, ike::IkeSpi spi_r, ike::MessageId id) {
  if (auto r = impl_->prog.maps().outstanding_add(spi_i, spi_r, id); !r) {
    ++impl_->map_errors;
    log::warn(Subsys::xdp, "outstanding request not recorded (its response may be dropped): {}",
              r.error().message);
    return;
  }
  ++impl_->outstanding_added;
}

void XdpControl::outstanding_remove(ike::IkeSpi spi_i, ike::IkeSpi spi_r, ike::MessageId id) {
  auto r = impl_->prog.maps().outstanding_remove(spi_i, spi_r, id);
  if (!r) {
    ++impl_->map_errors;
    log::debug(Subsys::xdp, "outstanding remove: {}", r.error().message);
  } else if (*r) {
    ++impl_->outstanding_removed;
  }
}

}  // namespace answerd::daemon
