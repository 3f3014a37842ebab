// XfrmIpsec: the KernelIpsec backend for dataplane = xfrm. Programs the kernel's
// IPsec dataplane over XFRM netlink (libmnl): one blocking request socket (5 s
// receive timeout) and one non-blocking event socket joined to XFRMNLGRP_EXPIRE and
// XFRMNLGRP_ACQUIRE for the daemon's event loop.
//
// Ownership (kernel/ipsec.h): SAs are owned when their reqid is in the owned range,
// policies when one of their templates carries an owned reqid. flush_owned() dumps
// the SAD and SPD and deletes exactly those; the daemon calls it at startup (stale
// entries after a crash) and at clean shutdown. Nothing happens in the destructor,
// so a tool can install entries and exit. Events about entries answerd does not own
// are not reported.
#pragma once

#include <memory>

#include "kernel/ipsec.h"
#include "kernel/xfrm/nl_socket.h"

namespace answerd::kernel::xfrm {

class XfrmIpsec final : public KernelIpsec {
 public:
  // Opens both sockets and runs the kernel probe (xfrm_probe.h); the error says what
  // is missing, e.g. kNoEspMessage.
  [[nodiscard]] static IpsecResult<std::unique_ptr<XfrmIpsec>> open();
  // Without the probe: for a kernel without ESP where only policies and SPI
  // allocation work (tests), and for callers that probed already.
  [[nodiscard]] static IpsecResult<std::unique_ptr<XfrmIpsec>> open_unprobed();

  [[nodiscard]] IpsecResult<ike::EspSpi> alloc_spi(const IpAddress& src, const IpAddress& dst,
                                                   ike::Reqid reqid) override;
  [[nodiscard]] IpsecResult<void> add_sa(const SaId& id, const SaData& data) override;
  [[nodiscard]] IpsecResult<void> del_sa(const SaId& id) override;
  [[nodiscard]] IpsecResult<SaStats> query_sa(const SaId& id) override;
  [[nodiscard]] IpsecResult<void> update_sa(const SaId& id, const SaId& to, const UdpEncap& encap) override;
  [[nodiscard]] IpsecResult<void> add_policy(const PolicyId& id, const PolicyData& data) override;
  [[nodiscard]] IpsecResult<void> del_policy(const PolicyId& id) override;
  [[nodiscard]] IpsecResult<std::size_t> flush_owned() override;
  void set_event_handler(IpsecEventHandler handler) override { handler_ = std::move(handler); }
  [[nodiscard]] int event_fd() const override { return events_.fd(); }
  void dispatch_events() override;
  [[nodiscard]] const Capabilities& capabilities() const override { return caps_; }

  // Events seen since open, owned or not (for statistics).
  struct EventCounts {
    std::uint64_t soft_expires = 0;
    std::uint64_t hard_expires = 0;
    std::uint64_t acquires = 0;
    std::uint64_t foreign = 0;  // about entries answerd does not own: not reported
  };
  [[nodiscard]] const EventCounts& event_counts() const { return counts_; }

 private:
  XfrmIpsec(NlSocket req, NlSocket events) : req_(std::move(req)), events_(std::move(events)) {}
  NlSocket req_;
  NlSocket events_;
  IpsecEventHandler handler_;
  Capabilities caps_;
  EventCounts counts_;
};

}  // namespace answerd::kernel::xfrm
