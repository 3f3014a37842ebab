// ike-bench: what follows IKE_AUTH: Child SA rekeys (CREATE_CHILD_SA, RFC 7296
// 1.3.3) each with the DELETE of the old Child SA (1.4.1), then the optional DELETE
// of the IKE SA.
#include "ike/wire/message.h"
#include "ike/wire/names.h"
#include "ike/wire/notify_data.h"
#include "ike/wire/notify_types.h"
#include "tools/ike-bench/negotiation.h"

namespace answerd::bench {

std::vector<Bytes> Negotiation::after_auth(Clock::time_point now) {
  if (rekeys_done_ < cfg_.child_rekeys && child_created_) {
    // CREATE_CHILD_SA { HDR, SK { N(REKEY_SA), SA, Ni, TSi, TSr } } -->
    state_ = State::kRekeyChild;
    old_child_spi_ = child_spi_;
    child_spi_ = new_esp_spi();
    std::vector<ike::Payload> ps;
    ps.push_back(ike::make_child_sa_notify(ike::NotifyType::kRekeySa, ike::ProtocolId::kEsp, old_child_spi_));
    auto child = child_payloads(child_spi_);
    Bytes nonce(32);
    rng_.fill(nonce);
    ps.push_back(std::move(child[0]));
    ps.push_back(ike::make_payload(ike::NoncePayload{std::move(nonce)}));
    ps.push_back(std::move(child[1]));
    ps.push_back(std::move(child[2]));
    return send(encrypted(ike::ExchangeType::kCreateChildSa, ps, ++mid_), now);
  }
  if (cfg_.send_delete) {
    // INFORMATIONAL { HDR, SK { D(IKE) } } -->
    state_ = State::kDelete;
    std::vector<ike::Payload> del;
    del.push_back(ike::make_payload(ike::DeletePayload{.protocol = ike::ProtocolId::kIke, .spi_size = 0, .spis = {}}));
    return send(encrypted(ike::ExchangeType::kInformational, del, ++mid_), now);
  }
  finish(now);
  return {};
}

std::vector<Bytes> Negotiation::handle_informational_or_rekey(std::span<const std::uint8_t> d, Clock::time_point now) {
  auto ps = open(d);
  if (!ps) return {};
  for (const auto& p : *ps) {
    const auto* n = ike::body_of<ike::NotifyPayload>(p);
    if (n != nullptr && ike::is_error(n->type)) {
      fail((state_ == State::kRekeyChild ? "rekey: " : "") + ike::to_string(n->type));
      return {};
    }
  }
  switch (state_) {
    case State::kRekeyChild: {
      if (ike::find_payload(*ps, ike::PayloadType::kSa) == nullptr) {
        fail("rekey: no SA");
        return {};
      }
      // INFORMATIONAL { HDR, SK { D(ESP, old inbound SPI) } } -->
      state_ = State::kDeleteChild;
      const auto b = old_child_spi_.bytes();
      std::vector<ike::Payload> del;
      del.push_back(ike::make_payload(
          ike::DeletePayload{.protocol = ike::ProtocolId::kEsp, .spi_size = 4, .spis = {Bytes(b.begin(), b.end())}}));
      return send(encrypted(ike::ExchangeType::kInformational, del, ++mid_), now);
    }
    case State::kDeleteChild:
      ++rekeys_done_;
      return after_auth(now);
    case State::kDelete:
      finish(now);
      return {};
    default:
      return {};
  }
}

}  // namespace answerd::bench
