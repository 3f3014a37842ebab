// INFORMATIONAL exchanges in both directions (RFC 7296 1.4, 1.5, 2.1-2.4).
//
// The peer's requests:
//   --> HDR, SK { [N,] [D,] [CP,] ... }
//   <-- HDR, SK { [D (our inbound SPIs of the Child SAs the peer deleted)] }
// D for the IKE SA: empty response, then everything of the SA is deleted. An empty
// request is a liveness check and gets an empty response.
//
// Ours, the only requests answerd sends (DESIGN.md):
//   <-- HDR (I clear), SK { D(IKE) }            hard lifetime, terminate, reload, shutdown
//   <-- HDR (I clear), SK { D(ESP, our SPI) }   a Child SA's hard lifetime
//   <-- HDR (I clear), SK { }                   liveness after dpd_delay of silence
// One is outstanding at a time (2.3, window 1), the rest wait in order. It is
// retransmitted with the same bytes and exponential backoff (2.1); with no answer
// after the last retransmit the peer is dead and the IKE SA is deleted locally (2.4).
#include <algorithm>
#include <cmath>

#include "ike/sa/engine_impl.h"

namespace answerd::sa {
namespace {

// The wait after the n-th transmission (n >= 1): timeout * base^(n-1).
std::chrono::steady_clock::duration wait_after(const Options& o, unsigned n) {
  const double f = std::pow(o.retransmit_base, static_cast<double>(n - 1));
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double, std::milli>(static_cast<double>(o.retransmit_timeout.count()) * f));
}

TimePoint last_heard(const IkeSa& sa) { return std::max(sa.last_inbound, sa.created_at); }

}  // namespace

std::string_view to_string(RequestKind k) {
  switch (k) {
    case RequestKind::kDeleteIke: return "DELETE(IKE)";
    case RequestKind::kDeleteChild: return "DELETE(CHILD)";
    case RequestKind::kLiveness: return "liveness check";
  }
  return "request";
}

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

void Engine::queue_request(Output& out, IkeSa& sa, RequestKind kind, std::vector<ike::Payload> payloads,
                           TimePoint now) {
  sa.queued.push_back(QueuedRequest{.kind = kind, .payloads = std::move(payloads)});
  send_next_request(out, sa, now);
}

void Engine::send_next_request(Output& out, IkeSa& sa, TimePoint now) {
  while (!sa.outstanding && !sa.queued.empty()) {
    QueuedRequest q = std::move(sa.queued.front());
    sa.queued.pop_front();
    OurRequest r{.kind = q.kind};
    informational_request(sa, r, q.payloads);
    if (r.datagrams.empty()) {  // cannot happen with a working SK cipher; never fatal
      log("IKE_SA #" + std::to_string(sa.id) + ": could not protect our " + std::string(to_string(q.kind)));
      continue;
    }
    r.transmissions = 1;
    r.next = now + wait_after(opt_, 1);
    ++stats_.requests_sent;
    if (r.kind == RequestKind::kLiveness) ++stats_.liveness_checks;
    for (const auto& dg : r.datagrams) emit(out, sa.local, sa.remote, dg);
    sa.outstanding = std::move(r);
  }
}

void Engine::request_ended(IkeSa& sa) {
  if (!sa.outstanding) return;
  requests_done_.push_back(RequestKey{.spi_i = sa.spi_i, .spi_r = sa.spi_r, .mid = sa.outstanding->mid});
  sa.outstanding.reset();
}

// The peer's answer to our request: in our window (its message ID) and authentic.
void Engine::our_response(Output& out, IkeSa& sa, const Datagram& d, const ike::Header& h, TimePoint now) {
  if (!sa.outstanding || sa.outstanding->mid != h.message_id || h.exchange != ike::ExchangeType::kInformational) {
    ++stats_.unsolicited_responses;  // late answer to an older transmission, or forged
    return;
  }
  std::vector<std::uint8_t> plain;
  ike::PayloadType first{};
  switch (decrypt(sa, d.bytes, plain, first)) {
    case Decrypted::kPending: return;
    case Decrypted::kFailed: ++stats_.decrypt_failed; return;
    case Decrypted::kComplete: break;
  }
  sa.last_inbound = now;
  ++stats_.requests_answered;
  const RequestKind kind = sa.outstanding->kind;
  log("IKE_SA #" + std::to_string(sa.id) + ": " + std::string(to_string(kind)) + " answered after " +
      std::to_string(sa.outstanding->transmissions) + " transmission(s)");
  request_ended(sa);
  if (kind == RequestKind::kDeleteIke) {
    remove_sa(sa, "our DELETE answered");
    return;
  }
  send_next_request(out, sa, now);
}

void Engine::request_timers(Output& out, TimePoint now) {
  std::vector<ike::IkeSpi> dead;
  for (auto& [spi, sa] : sas_) {
    if (sa->outstanding && now >= sa->outstanding->next) {
      OurRequest& r = *sa->outstanding;
      if (r.transmissions > opt_.retransmit_tries) {
        dead.push_back(spi);
        continue;
      }
      ++r.transmissions;
      r.next = now + wait_after(opt_, r.transmissions);
      ++stats_.request_retransmits;
      for (const auto& dg : r.datagrams) emit(out, sa->local, sa->remote, dg);
      continue;
    }
    // RFC 7296 2.4 liveness: only when configured, only with nothing of ours out.
    const config::Connection* c = sa->conn;
    if (sa->state == IkeState::kEstablished && c != nullptr && c->dpd_delay.count() > 0 && !sa->outstanding &&
        sa->queued.empty() && now - last_heard(*sa) >= c->dpd_delay)
      queue_request(out, *sa, RequestKind::kLiveness, {}, now);
  }
  for (auto spi : dead) {
    IkeSa& sa = *find(spi);
    ++stats_.requests_given_up;
    log("IKE_SA #" + std::to_string(sa.id) + ": no answer to our " + std::string(to_string(sa.outstanding->kind)) +
        " (message ID " + std::to_string(sa.outstanding->mid.value()) + ") after " +
        std::to_string(opt_.retransmit_tries) + " retransmits: peer dead");
    remove_sa(sa, "peer did not answer our request");
  }
}

std::optional<TimePoint> Engine::request_next_timer(const IkeSa& sa) const {
  if (sa.outstanding) return sa.outstanding->next;
  if (sa.state == IkeState::kEstablished && sa.conn != nullptr && sa.conn->dpd_delay.count() > 0)
    return last_heard(sa) + sa.conn->dpd_delay;
  return std::nullopt;
}

void Engine::begin_delete(Output& out, IkeSa& sa, const std::string& why, TimePoint now) {
  // RFC 7296 1.4.1: the Child SAs go with the IKE SA; ours leave the kernel now.
  while (!sa.children.empty()) {
    ChildSa c = std::move(sa.children.back());
    sa.children.pop_back();
    delete_child(sa, c);
  }
  log("IKE_SA #" + std::to_string(sa.id) + " deleting: " + why);
  set_state(sa, IkeState::kDeleting);
  sa.queued.clear();  // a queued Child DELETE or liveness check is moot now
  queue_request(out, sa, RequestKind::kDeleteIke, {ike::make_payload(ike::DeletePayload{ike::ProtocolId::kIke, 0, {}})},
                now);
}

}  // namespace answerd::sa
