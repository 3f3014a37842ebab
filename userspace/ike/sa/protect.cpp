// Encrypted exchanges: the responder window (RFC 7296 2.3), SK payload protection
// (3.14), fragment reassembly and fragmentation (RFC 7383), and dispatch of a
// decrypted request to its task.
#include <algorithm>

#include "ike/sa/engine_impl.h"
#include "ike/wire/names.h"
#include "ike/wire/rules.h"

namespace answerd::sa {
namespace {
constexpr std::size_t kSkfHeader = 8;  // generic header + Fragment Number + Total

std::string endpoint_text(const Endpoint& e) {
  const auto a = config::to_string(e.addr);
  return (e.addr.family == 6 ? "[" + a + "]" : a) + ":" + std::to_string(e.port);
}

// RFC 7296 2.23: an authenticated request from a peer behind a NAT came through a
// new mapping, so every Child SA's ESP-in-UDP SAs (RFC 3948) follow it and, when an
// address moved, the policies' templates too. Returns what failed.
std::vector<std::string> follow_nat_mapping(kernel::KernelIpsec& dp, IkeSa& sa, const Endpoint& local,
                                            const Endpoint& remote) {
  std::vector<std::string> errors;
  const bool addr_moved = local.addr != sa.local.addr || remote.addr != sa.remote.addr;
  const kernel::UdpEncap in_encap{remote.port, local.port}, out_encap{local.port, remote.port};
  for (auto& c : sa.children) {
    auto ok = [&](const kernel::IpsecResult<void>& r) {
      if (!r) errors.push_back("CHILD_SA " + c.name + " #" + std::to_string(c.id) + ": " + r.error().message);
      return r.has_value();
    };
    kernel::SaId in = c.sa_in, out = c.sa_out;
    in.src = remote.addr;
    in.dst = local.addr;
    out.src = local.addr;
    out.dst = remote.addr;
    if (ok(dp.update_sa(c.sa_in, in, in_encap))) c.sa_in = in;
    if (ok(dp.update_sa(c.sa_out, out, out_encap))) c.sa_out = out;
    if (!addr_moved) continue;
    const auto mode = c.mode == config::Mode::kTransport ? kernel::IpsecMode::kTransport : kernel::IpsecMode::kTunnel;
    for (const auto& p : c.policies) {  // only the first Child SA of a reqid holds them
      const bool outbound = p.dir == kernel::PolicyDir::kOut;
      const kernel::PolicyData d{.action = kernel::PolicyAction::kProtect, .priority = 0,
                                 .sa = {.src = outbound ? local.addr : remote.addr,
                                        .dst = outbound ? remote.addr : local.addr, .reqid = c.reqid, .mode = mode},
                                 .update = true};
      (void)ok(dp.add_policy(p, d));
    }
  }
  return errors;
}
}  // namespace

Engine::Decrypted Engine::decrypt(IkeSa& sa, std::span<const std::uint8_t> datagram, std::vector<std::uint8_t>& plain,
                                  ike::PayloadType& first) {
  auto view = ike::locate_encrypted(datagram);
  if (!view || !sa.in) return Decrypted::kFailed;
  const ike::Bytes aad(view->aad.begin(), view->aad.end());
  const ike::Bytes enc(view->encrypted.begin(), view->encrypted.end());
  auto opened = sa.in->open(aad, enc);
  if (!opened) return Decrypted::kFailed;
  if (view->type == ike::PayloadType::kSk) {
    plain = std::move(*opened);
    first = view->first_inner;
    return Decrypted::kComplete;
  }
  // RFC 7383 2.6: fragments are protected one by one and reassembled in order.
  ++stats_.fragments_received;
  const auto mid = ike::parse_header(datagram)->message_id;
  const std::uint16_t n = view->fragment_number, total = view->total_fragments;
  if (n == 0 || total == 0 || n > total) return Decrypted::kFailed;
  FragmentBuffer& fb = sa.frags;
  if (fb.mid != mid || fb.total != total) fb = FragmentBuffer{.mid = mid, .total = total};
  if (n == 1) fb.first_inner = view->first_inner;
  fb.plain[n] = std::move(*opened);
  if (!fb.complete()) return Decrypted::kPending;
  plain.clear();
  for (auto& [num, part] : fb.plain) plain.insert(plain.end(), part.begin(), part.end());
  first = fb.first_inner;
  fb = FragmentBuffer{};
  return Decrypted::kComplete;
}

std::vector<std::vector<std::uint8_t>> Engine::protect(IkeSa& sa, const ike::Header& h,
                                                       const std::vector<ike::Payload>& payloads) {
  std::vector<std::vector<std::uint8_t>> out;
  auto inner = ike::serialize_payload_chain(payloads);
  if (!inner || !sa.out) return out;
  const auto first = ike::chain_first_type(payloads);
  const std::size_t whole = ike::kIkeHeaderLen + 4 + sa.out->sealed_size(inner->size());
  if (!sa.peer_fragmentation || whole <= opt_.fragment_size) {
    auto layout = ike::build_sk_message(h, first, sa.out->sealed_size(inner->size()));
    if (!layout) return out;
    auto sealed = sa.out->seal(layout->aad(), *inner);
    if (!sealed || sealed->size() != layout->encrypted_len) return out;
    std::copy(sealed->begin(), sealed->end(), layout->encrypted().begin());
    out.push_back(std::move(layout->message));
    return out;
  }
  // RFC 7383 2.5: each fragment carries a slice of the inner chain, sealed on its own.
  const std::size_t overhead = ike::kIkeHeaderLen + kSkfHeader + sa.out->sealed_size(0) + 16;
  const std::size_t chunk = opt_.fragment_size > overhead + 16 ? opt_.fragment_size - overhead : 16;
  const auto total = static_cast<std::uint16_t>((inner->size() + chunk - 1) / chunk);
  for (std::uint16_t i = 0; i < total; ++i) {
    const std::size_t from = i * chunk, len = std::min(chunk, inner->size() - from);
    auto layout = ike::build_skf_message(h, i == 0 ? first : ike::PayloadType::kNone,
                                         static_cast<std::uint16_t>(i + 1), total, sa.out->sealed_size(len));
    if (!layout) return {};
    const ike::Bytes part(inner->begin() + static_cast<std::ptrdiff_t>(from),
                          inner->begin() + static_cast<std::ptrdiff_t>(from + len));
    auto sealed = sa.out->seal(layout->aad(), part);
    if (!sealed || sealed->size() != layout->encrypted_len) return {};
    std::copy(sealed->begin(), sealed->end(), layout->encrypted().begin());
    out.push_back(std::move(layout->message));
    ++stats_.fragments_sent;
  }
  return out;
}

void Engine::respond(Output& out, IkeSa& sa, const Request& req, std::vector<ike::Payload> payloads) {
  const ike::Header h{.spi_i = sa.spi_i,
                      .spi_r = sa.spi_r,
                      .exchange = req.header.exchange,
                      .flags = ike::kFlagResponse,
                      .message_id = req.header.message_id};
  sa.last = CachedResponse{.mid = req.header.message_id, .datagrams = protect(sa, h, payloads)};
  sa.next_mid = ike::MessageId(req.header.message_id.value() + 1);
  for (const auto& dg : sa.last.datagrams) emit(out, sa.local, sa.remote, dg);
}

// The only request this engine can build: INFORMATIONAL (DESIGN.md invariants).
void Engine::informational_request(IkeSa& sa, OurRequest& req, const std::vector<ike::Payload>& payloads) {
  const ike::Header h{.spi_i = sa.spi_i,
                      .spi_r = sa.spi_r,
                      .exchange = ike::ExchangeType::kInformational,
                      .flags = 0,  // we are the original responder: Initiator flag clear
                      .message_id = sa.our_next_mid};
  req.mid = sa.our_next_mid;
  req.datagrams = protect(sa, h, payloads);
  sa.our_next_mid = ike::MessageId(sa.our_next_mid.value() + 1);
}

void Engine::handle_encrypted(Output& out, const Datagram& d, const ike::Header& h, TimePoint now) {
  IkeSa* sa = find(h.spi_r);
  if (sa == nullptr || sa->spi_i != h.spi_i) {
    ++stats_.unknown_spi;
    return;
  }
  if (h.response()) {  // the answer to our INFORMATIONAL request
    our_response(out, *sa, d, h, now);
    return;
  }
  if (!h.initiator()) {
    ++stats_.malformed;
    return;
  }
  const std::uint32_t mid = h.message_id.value(), expect = sa->next_mid.value();
  if (mid + 1 == expect && sa->last.mid == h.message_id && !sa->last.datagrams.empty()) {
    // RFC 7296 2.3 retransmission; RFC 7383 2.6.1: answer a fragmented request once,
    // on its first fragment, with every fragment of the response.
    auto view = ike::locate_encrypted(d.bytes);
    if (view && view->type == ike::PayloadType::kSkf && view->fragment_number != 1) return;
    ++stats_.retransmits_answered;
    for (const auto& dg : sa->last.datagrams) emit(out, sa->local, sa->remote, dg);
    return;
  }
  if (mid != expect) {
    ++stats_.out_of_window;
    return;
  }
  std::vector<std::uint8_t> plain;
  ike::PayloadType first{};
  switch (decrypt(*sa, d.bytes, plain, first)) {
    case Decrypted::kPending: return;
    case Decrypted::kFailed: ++stats_.decrypt_failed; return;  // RFC 7296 2.21.1: drop
    case Decrypted::kComplete: break;
  }
  sa->last_inbound = now;
  if (sa->nat_remote && sa->state == IkeState::kEstablished && (d.local != sa->local || d.remote != sa->remote)) {
    // RFC 7296 2.23: the peer behind a NAT got a new mapping (the kernel's
    // XFRM_MSG_MAPPING for ESP-driven changes is not handled here).
    const auto errors = follow_nat_mapping(dp_, *sa, d.local, d.remote);
    ++stats_.nat_mapping_updates;
    if (!errors.empty()) ++stats_.dataplane_errors;
    for (const auto& e : errors) log(e);
    log("IKE_SA #" + std::to_string(sa->id) + ": remote host is behind NAT, mapping moved from " +
        endpoint_text(sa->remote) + " to " + endpoint_text(d.remote) + ", " + std::to_string(sa->children.size()) +
        " Child SA(s) updated");
  }
  sa->local = d.local;  // NAT-T may have moved the peer to port 4500 (RFC 7296 2.23)
  sa->remote = d.remote;
  Request req{.dgram = &d, .header = h, .payloads = {}};
  auto inner = ike::parse_payload_chain(first, plain);
  if (!inner) {
    ++stats_.malformed;
    std::vector<ike::Payload> err{inner.error().notify == ike::NotifyType::kUnsupportedCriticalPayload
                                      ? ike::make_unsupported_critical_payload(
                                            static_cast<ike::PayloadType>(inner.error().detail))
                                      : ike::make_notify(inner.error().notify)};
    respond(out, *sa, req, std::move(err));
    return;
  }
  req.payloads = std::move(*inner);
  if (auto ok = ike::check_payload_rules(h.exchange, false, req.payloads, true); !ok) {
    ++stats_.malformed;
    log("IKE_SA #" + std::to_string(sa->id) + " " + ike::to_string(h.exchange) + ": " + ok.error().to_string());
    respond(out, *sa, req, {ike::make_notify(ike::NotifyType::kInvalidSyntax)});
    if (sa->state == IkeState::kHalfOpen) remove_sa(*sa, "invalid IKE_AUTH request");
    return;
  }
  const bool established = sa->state == IkeState::kEstablished;
  switch (h.exchange) {
    case ike::ExchangeType::kIkeAuth:
      if (sa->state == IkeState::kHalfOpen) return ike_auth(out, *sa, req, now);
      break;
    case ike::ExchangeType::kInformational:  // also while our DELETE is out (crossing deletes)
      if (established || sa->state == IkeState::kDeleting) return informational(out, *sa, req, now);
      break;
    case ike::ExchangeType::kCreateChildSa:
      if (established) return create_child_sa(out, *sa, req, now);
      break;
    default: break;
  }
  ++stats_.malformed;  // exchange not allowed in this state
}

}  // namespace answerd::sa
