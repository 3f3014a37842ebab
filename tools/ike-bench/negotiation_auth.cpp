// ike-bench: the encrypted half of a negotiation, IKE_AUTH and the closing DELETE
// (RFC 7296 1.2, 1.4.1, 2.15), and SK payload sealing/opening (RFC 7296 3.14).
#include <algorithm>

#include "ike/crypto/pki/signature.h"
#include "ike/crypto/psk_auth.h"
#include "ike/wire/message.h"
#include "ike/wire/names.h"
#include "ike/wire/notify_types.h"
#include "ike/wire/rules.h"
#include "ike/wire/sk.h"
#include "tools/ike-bench/negotiation.h"

namespace answerd::bench {
namespace {

ike::IdPayload fqdn(const std::string& s) { return ike::IdPayload{ike::IdType::kFqdn, Bytes(s.begin(), s.end())}; }

ike::TrafficSelector range_ts(const config::IpAddress& from, const config::IpAddress& to) {
  const std::size_t n = from.family == 4 ? 4 : 16;
  const auto end = static_cast<std::ptrdiff_t>(n);
  return ike::TrafficSelector{.ts_type = n == 4 ? ike::TsType::kIpv4AddrRange : ike::TsType::kIpv6AddrRange,
                              .ip_protocol = 0,
                              .start_port = 0,
                              .end_port = 0xffff,
                              .start_addr = Bytes(from.bytes.begin(), from.bytes.begin() + end),
                              .end_addr = Bytes(to.bytes.begin(), to.bytes.begin() + end),
                              .raw = {}};
}

ike::TrafficSelector everything(std::uint8_t family) {
  config::IpAddress lo{.family = family, .bytes = {}}, hi{.family = family, .bytes = {}};
  std::fill(hi.bytes.begin(), hi.bytes.begin() + (family == 4 ? 4 : 16), std::uint8_t{0xff});
  return range_ts(lo, hi);
}

std::optional<std::string> first_error(const std::vector<ike::Payload>& ps) {
  for (const auto& p : ps) {
    const auto* n = ike::body_of<ike::NotifyPayload>(p);
    if (n != nullptr && ike::is_error(n->type)) return ike::to_string(n->type);
  }
  return std::nullopt;
}

}  // namespace

// IKE_AUTH { HDR, SK { IDi, N(INITIAL_CONTACT), [IDr,] AUTH, [SAi2, TSi, TSr] } } -->
Bytes Negotiation::build_auth() {
  const auto idi = fqdn(local_id_);
  auto body = ike::serialize_body(ike::PayloadBody(idi));
  if (!body) {
    fail("cannot serialize IDi");
    return {};
  }
  auto auth = our_auth(*body);
  if (!auth) return {};
  std::vector<ike::Payload> ps;
  ps.push_back(ike::make_payload(ike::PayloadType::kIdi, idi));
  if (cfg_.cert) {
    const auto der = cfg_.cert->cert.der();
    ps.push_back(ike::make_payload(ike::PayloadType::kCert,
                                   ike::CertPayload{ike::CertEncoding::kX509Signature, Bytes(der.begin(), der.end())}));
    Bytes hashes;
    for (const auto& ca : cfg_.cert->cas) {
      const auto h = ca.key_hash();
      hashes.insert(hashes.end(), h.begin(), h.end());
    }
    if (!hashes.empty())
      ps.push_back(ike::make_payload(ike::PayloadType::kCertreq,
                                     ike::CertPayload{ike::CertEncoding::kX509Signature, std::move(hashes)}));
  }
  ps.push_back(ike::make_notify(ike::NotifyType::kInitialContact));
  if (!cfg_.remote_id.empty()) ps.push_back(ike::make_payload(ike::PayloadType::kIdr, fqdn(cfg_.remote_id)));
  ps.push_back(ike::make_payload(std::move(*auth)));
  if (cfg_.child == ChildMode::kChild && cfg_.esp) {
    child_spi_ = new_esp_spi();
    for (auto& p : child_payloads(child_spi_)) ps.push_back(std::move(p));
  }
  mid_ = 1;
  return encrypted(ike::ExchangeType::kIkeAuth, ps, mid_);
}

ike::EspSpi Negotiation::new_esp_spi() {
  std::array<std::uint8_t, 4> spi{};
  do rng_.fill(spi);
  while (ike::EspSpi::from_wire(spi).value() < 256);  // RFC 4303 2.1: 1-255 are reserved
  return ike::EspSpi::from_wire(spi);
}

// SAi2, TSi, TSr of IKE_AUTH and of a Child SA rekey (RFC 7296 1.3.3).
std::vector<ike::Payload> Negotiation::child_payloads(ike::EspSpi spi) const {
  const auto tsi = cfg_.tsi ? range_ts(cfg_.tsi->from, cfg_.tsi->to) : range_ts(self_.addr, self_.addr);
  const auto tsr = cfg_.tsr ? range_ts(cfg_.tsr->from, cfg_.tsr->to) : everything(peer_.addr.family);
  std::vector<ike::Payload> ps;
  ps.push_back(ike::make_payload(esp_offer(*cfg_.esp, spi)));
  ps.push_back(ike::make_payload(ike::PayloadType::kTsi, ike::TsPayload{{tsi}}));
  ps.push_back(ike::make_payload(ike::PayloadType::kTsr, ike::TsPayload{{tsr}}));
  return ps;
}

// RFC 7296 2.15: AUTH over our IKE_SA_INIT request, Nr and prf(SK_pi, IDi'):
// a PSK MAC, or a signature (RFC 7427 method 14 when the responder sent
// SIGNATURE_HASH_ALGORITHMS, else the classic method of the key).
std::optional<ike::AuthPayload> Negotiation::our_auth(const Bytes& idi_body) {
  const crypto::PskAuthInput in{init_request_, nr_, keys_.sk_pi.view(), idi_body};
  if (!cfg_.cert) {
    auto mac = crypto::psk_auth(suite_.prf, Bytes(cfg_.psk.begin(), cfg_.psk.end()), in);
    if (!mac) return fail("AUTH computation"), std::nullopt;
    return ike::AuthPayload{ike::AuthMethod::kSharedKeyMic, std::move(*mac)};
  }
  auto choice = crypto::pki::choose_signature(cfg_.cert->key.type(), peer_hashes_);
  if (!choice) return fail("no signature scheme for our key"), std::nullopt;
  auto octets = crypto::pki::signed_octets(suite_.prf, in);
  if (!octets) return fail("AUTH computation"), std::nullopt;
  auto sig = crypto::pki::sign_auth(cfg_.cert->key, *choice, *octets);
  if (!sig) return fail("AUTH signature"), std::nullopt;
  return ike::AuthPayload{choice->method, std::move(*sig)};
}

// The responder's AUTH over its IKE_SA_INIT response, Ni and prf(SK_pr, IDr').
bool Negotiation::responder_auth_ok(const std::vector<ike::Payload>& ps) const {
  const auto* idr = ike::find_payload(ps, ike::PayloadType::kIdr);
  const auto* a = ike::body_of<ike::AuthPayload>(*ike::find_payload(ps, ike::PayloadType::kAuth));
  auto body = ike::serialize_body(idr->body);
  if (a == nullptr || !body) return false;
  const crypto::PskAuthInput in{init_response_, ni_, keys_.sk_pr.view(), *body};
  if (a->method == ike::AuthMethod::kSharedKeyMic)
    return !cfg_.cert &&
           crypto::verify_psk_auth(suite_.prf, Bytes(cfg_.psk.begin(), cfg_.psk.end()), in, a->data).has_value();
  const auto* cp = ike::find_payload(ps, ike::PayloadType::kCert);
  const auto* c = cp != nullptr ? ike::body_of<ike::CertPayload>(*cp) : nullptr;
  if (!cfg_.cert || c == nullptr || c->encoding != ike::CertEncoding::kX509Signature) return false;
  auto cert = crypto::pki::Certificate::from_der(c->data);
  auto octets = crypto::pki::signed_octets(suite_.prf, in);
  return cert && octets && crypto::pki::verify_auth(cert->public_key(), a->method, a->data, *octets).has_value();
}

Bytes Negotiation::encrypted(ike::ExchangeType x, const std::vector<ike::Payload>& ps, std::uint32_t mid) {
  const ike::Header h{
      .spi_i = spi_i_, .spi_r = spi_r_, .exchange = x, .flags = ike::kFlagInitiator, .message_id = ike::MessageId(mid)};
  auto inner = ike::serialize_payload_chain(ps);
  if (!inner) return fail("cannot serialize " + ike::to_string(x)), Bytes{};
  auto layout = ike::build_sk_message(h, ike::chain_first_type(ps), to_r_->sealed_size(inner->size()));
  if (!layout) return fail("cannot serialize " + ike::to_string(x)), Bytes{};
  auto sealed = to_r_->seal(layout->aad(), *inner);
  if (!sealed) return fail("cannot encrypt " + ike::to_string(x)), Bytes{};
  std::copy(sealed->begin(), sealed->end(), layout->encrypted().begin());
  return std::move(layout->message);
}

// Opens an SK response with SK_er/SK_ar; nullopt for anything that does not
// authenticate (a forged or corrupted datagram is ignored, not a failure).
std::optional<std::vector<ike::Payload>> Negotiation::open(std::span<const std::uint8_t> d) const {
  auto v = ike::locate_encrypted(d);
  if (!v || v->type != ike::PayloadType::kSk) return std::nullopt;
  auto o = from_r_->open(Bytes(v->aad.begin(), v->aad.end()), Bytes(v->encrypted.begin(), v->encrypted.end()));
  if (!o) return std::nullopt;
  auto ps = ike::parse_payload_chain(v->first_inner, *o);
  if (!ps) return std::nullopt;
  return std::move(*ps);
}

// <-- IKE_AUTH { HDR, SK { IDr, AUTH, [SAr2, TSi, TSr] } } or an error notify.
std::vector<Bytes> Negotiation::handle_auth_response(std::span<const std::uint8_t> d, Clock::time_point now) {
  auto ps = open(d);
  if (!ps) return {};
  if (auto e = first_error(*ps)) {
    // Without AUTH the IKE SA failed; with it only the Child SA did (RFC 7296 2.21.2).
    if (ike::find_payload(*ps, ike::PayloadType::kAuth) == nullptr) return fail(*e), std::vector<Bytes>{};
    return fail("child: " + *e), std::vector<Bytes>{};
  }
  if (!ike::check_payload_rules(ike::ExchangeType::kIkeAuth, true, *ps, true))
    return fail("INVALID_SYNTAX"), std::vector<Bytes>{};
  const auto* idr = ike::find_payload(*ps, ike::PayloadType::kIdr);
  const auto* auth = ike::find_payload(*ps, ike::PayloadType::kAuth);
  if (idr == nullptr || auth == nullptr) return fail("INVALID_SYNTAX"), std::vector<Bytes>{};
  if (cfg_.verify_responder_auth && !responder_auth_ok(*ps))
    return fail("responder AUTH invalid"), std::vector<Bytes>{};
  child_created_ = ike::find_payload(*ps, ike::PayloadType::kSa) != nullptr;
  if (cfg_.child == ChildMode::kChild && cfg_.esp && !child_created_) return fail("no Child SA"), std::vector<Bytes>{};
  established_at_ = now;
  return after_auth(now);
}

}  // namespace answerd::bench
