// INFORMATIONAL requests (RFC 7296 1.4, 1.5):
//   --> HDR, SK { [N,] [D,] [CP,] ... }
//   <-- HDR, SK { [D (our inbound SPIs of the Child SAs the peer deleted)] }
// D for the IKE SA: empty response, then everything of the SA is deleted. An empty
// request is a liveness check and gets an empty response.
#include "ike/sa/engine_impl.h"

namespace answerd::sa {

void Engine::informational(Output& out, IkeSa& sa, const Request& req, TimePoint) {
  ++stats_.informational;
  bool delete_ike = false;
  std::vector<ike::Bytes> ours;
  for (const auto& p : req.payloads) {
    const auto* d = ike::body_of<ike::DeletePayload>(p);
    if (d == nullptr) continue;
    if (d->protocol == ike::ProtocolId::kIke) {
      delete_ike = true;
      continue;
    }
    for (const auto& spi_bytes : d->spis) {
      if (spi_bytes.size() != 4) continue;
      const auto spi = ike::EspSpi::from_wire(std::span<const std::uint8_t, 4>(spi_bytes.data(), 4));
      // RFC 7296 3.11: the peer names ITS inbound SPI, our outbound one.
      auto it = std::find_if(sa.children.begin(), sa.children.end(),
                             [&](const ChildSa& c) { return c.spi_out == spi; });
      if (it == sa.children.end()) continue;
      ChildSa c = std::move(*it);
      sa.children.erase(it);
      const auto in = c.spi_in.bytes();
      ours.emplace_back(in.begin(), in.end());
      delete_child(sa, c);
    }
  }
  if (delete_ike) {
    respond(out, sa, req, {});
    remove_sa(sa, "deleted by the peer");
    return;
  }
  std::vector<ike::Payload> resp;
  if (!ours.empty()) resp.push_back(ike::make_payload(ike::DeletePayload{ike::ProtocolId::kEsp, 4, std::move(ours)}));
  respond(out, sa, req, std::move(resp));
}

}  // namespace answerd::sa
