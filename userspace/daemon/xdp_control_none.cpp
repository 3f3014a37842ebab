// XdpControl for builds without the bpf area (no answerd_xdp): configuring XDP
// interfaces is a startup error that says so.
#include "daemon/xdp_control.h"

namespace answerd::daemon {

struct XdpControl::Impl {};

XdpControl::XdpControl(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
XdpControl::~XdpControl() = default;

expected<std::unique_ptr<XdpControl>, std::string> XdpControl::start(const XdpSetup&) {
  return unexpected(std::string("answerd.xdp.interfaces is set but this answerd was built without XDP "
                                "support (bpf area)"));
}

expected<void, std::string> XdpControl::apply(const XdpSetup&) { return {}; }

nlohmann::json XdpControl::status() const { return "off"; }
void XdpControl::inflight_set(const Endpoint&, ike::IkeSpi) {}
void XdpControl::inflight_clear(const Endpoint&, ike::IkeSpi) {}
void XdpControl::outstanding_add(ike::IkeSpi, ike::IkeSpi, ike::MessageId) {}
void XdpControl::outstanding_remove(ike::IkeSpi, ike::IkeSpi, ike::MessageId) {}

}  // namespace answerd::daemon
