// XdpControl: the daemon's side of the XDP filter (DESIGN.md "XDP verdicts").
// Owns the loaded XdpProgram: loads it from the configured bpffs, writes the
// `config` map (IKE ports, IKE_SA_INIT rate/burst, allowlist flag) and the `allow`
// prefixes, attaches to the configured interfaces, rewrites config and allowlist
// on reload, and answers the "xdp" part of `daemon status`.
//
// Shutdown policy: the pinned links are left attached when the daemon stops, so the
// filter keeps protecting the host across a restart (the next start re-adopts them
// with bpf_link_update). `answerctl xdp detach DEV` removes one.
#pragma once

#include <functional>  // before types.h, which specialises std::hash without it

#include "daemon/address.h"
#include "daemon/settings.h"
#include "ike/wire/types.h"
#include "util/expected.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace answerd::daemon {

class XdpControl {
 public:
  // Loads the program, writes config and allowlist, attaches to every interface.
  // The error names the step and the interface ("attaching XDP to eth0: ...").
  [[nodiscard]] static expected<std::unique_ptr<XdpControl>, std::string> start(const XdpSetup& setup);
  ~XdpControl();
  XdpControl(const XdpControl&) = delete;
  XdpControl& operator=(const XdpControl&) = delete;

  // Rewrites the config map and the allowlist (interfaces/mode/bpffs are kept).
  [[nodiscard]] expected<void, std::string> apply(const XdpSetup& setup);
  [[nodiscard]] nlohmann::json status() const;

  // DESIGN.md verdict 7: an IKE_SA_INIT answer for (peer, SPIi) is being computed,
  // so retransmits are dropped by XDP until it is sent. Map errors are logged and
  // counted (status()), never fatal: the BPF side ages entries anyway.
  void inflight_set(const Endpoint& peer, ike::IkeSpi spi_i);
  void inflight_clear(const Endpoint& peer, ike::IkeSpi spi_i);
  // DESIGN.md verdict 5: an INFORMATIONAL request answerd sent, whose response may
  // pass. Removed when the response arrives; the BPF side ages forgotten entries.
  void outstanding_add(ike::IkeSpi spi_i, ike::IkeSpi spi_r, ike::MessageId id);
  void outstanding_remove(ike::IkeSpi spi_i, ike::IkeSpi spi_r, ike::MessageId id);

 private:
  struct Impl;
  explicit XdpControl(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace answerd::daemon
