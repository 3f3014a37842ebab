// ike-bench: the initiator's state machine (see negotiation.h).
#include "tools/ike-bench/negotiation.h"

#include <algorithm>

#include "ike/crypto/psk_auth.h"
#include "ike/sa/cookies.h"
#include "ike/wire/message.h"
#include "ike/wire/names.h"
#include "ike/wire/notify_data.h"
#include "ike/wire/notify_types.h"
#include "ike/wire/rules.h"
#include "ike/wire/sk.h"

namespace answerd::bench {
namespace {

ike::Transform encr_transform(const config::EncrAlg& e) {
  return ike::make_transform(ike::TransformType::kEncr, static_cast<std::uint16_t>(e.id),
                             e.key_bits ? std::optional<std::uint16_t>(e.key_bits) : std::nullopt);
}

template <class T>
void add_all(ike::Proposal& p, ike::TransformType t, const std::vector<T>& ids) {
  for (auto id : ids) p.transforms.push_back(ike::make_transform(t, static_cast<std::uint16_t>(id)));
}

// The first error notify of a response, by name (RFC 7296 3.10.1: types below 16384).
std::optional<std::string> error_notify(const std::vector<ike::Payload>& ps) {
  for (const auto& p : ps) {
    const auto* n = ike::body_of<ike::NotifyPayload>(p);
    if (n != nullptr && ike::is_error(n->type)) return ike::to_string(n->type);
  }
  return std::nullopt;
}

}  // namespace

ike::SaPayload ike_offer(const config::Proposal& c) {
  ike::Proposal p{.number = 1, .protocol = ike::ProtocolId::kIke, .spi = {}, .transforms = {}};
  for (const auto& e : c.encr) p.transforms.push_back(encr_transform(e));
  add_all(p, ike::TransformType::kPrf, c.prf);
  add_all(p, ike::TransformType::kInteg, c.integ);
  add_all(p, ike::TransformType::kDh, c.dh);
  return ike::SaPayload{{std::move(p)}};
}

ike::SaPayload esp_offer(const config::Proposal& c, ike::EspSpi spi) {
  const auto b = spi.bytes();
  ike::Proposal p{.number = 1, .protocol = ike::ProtocolId::kEsp, .spi = Bytes(b.begin(), b.end()), .transforms = {}};
  for (const auto& e : c.encr) p.transforms.push_back(encr_transform(e));
  add_all(p, ike::TransformType::kInteg, c.integ);
  add_all(p, ike::TransformType::kDh, c.dh);
  if (c.esn.empty()) p.transforms.push_back(ike::make_transform(ike::TransformType::kEsn, 0));
  add_all(p, ike::TransformType::kEsn, c.esn);
  return ike::SaPayload{{std::move(p)}};
}

expected<crypto::IkeSuite, std::string> chosen_suite(const ike::SaPayload& sa) {
  if (sa.proposals.size() != 1) return unexpected<std::string>("SAr1 must hold one proposal");
  crypto::IkeSuite s{
      .encr = ike::EncrId::kAesCbc, .encr_key_bits = 0, .prf = ike::PrfId::kHmacSha2_256, .integ = ike::IntegId::kNone};
  bool have_encr = false, have_prf = false;
  for (const auto& t : sa.proposals[0].transforms) {
    if (t.type == ike::TransformType::kEncr) {
      s.encr = static_cast<ike::EncrId>(t.id);
      s.encr_key_bits = t.key_length().value_or(0);
      have_encr = true;
    } else if (t.type == ike::TransformType::kPrf) {
      s.prf = static_cast<ike::PrfId>(t.id);
      have_prf = true;
    } else if (t.type == ike::TransformType::kInteg) {
      s.integ = static_cast<ike::IntegId>(t.id);
    }
  }
  if (!have_encr || !have_prf) return unexpected<std::string>("SAr1 lacks ENCR or PRF");
  return s;
}

Negotiation::Negotiation(const InitiatorConfig& cfg, crypto::Random& rng, std::string local_id, sa::Endpoint self,
                         sa::Endpoint peer)
    : cfg_(cfg), rng_(rng), local_id_(std::move(local_id)), self_(self), peer_(peer) {
  std::array<std::uint8_t, 8> b{};
  do rng_.fill(b);
  while (std::all_of(b.begin(), b.end(), [](std::uint8_t x) { return x == 0; }));
  spi_i_ = ike::IkeSpi::from_wire(b);
  group_ = cfg_.ike.dh.empty() ? ike::DhGroup::kCurve25519 : cfg_.ike.dh.front();
}

Bytes Negotiation::start(Clock::time_point now) {
  started_ = now;
  state_ = State::kInit;
  auto out = send(build_init(), now);
  return out.empty() ? Bytes{} : std::move(out.front());
}

// IKE_SA_INIT { HDR, [N(COOKIE),] SAi1, KEi, Ni, N(NAT_DETECTION_*), N(FRAG_SUP), N(SIG_HASH) } -->
Bytes Negotiation::build_init() {
  auto ke = crypto::make_key_exchange(group_, rng_);
  if (!ke) {
    fail("unsupported DH group " + ike::to_string(group_));
    return {};
  }
  ke_ = std::move(*ke);
  if (ni_.empty()) {
    ni_.resize(32);
    rng_.fill(ni_);
  }
  ike::Message m;
  m.header = ike::Header{.spi_i = spi_i_,
                         .spi_r = ike::IkeSpi(0),
                         .exchange = ike::ExchangeType::kIkeSaInit,
                         .flags = ike::kFlagInitiator,
                         .message_id = ike::MessageId(0)};
  if (!cookie_.empty()) m.payloads.push_back(ike::make_notify(ike::NotifyType::kCookie, cookie_));
  m.payloads.push_back(ike::make_payload(ike_offer(cfg_.ike)));
  const auto pv = ke_->public_value();
  m.payloads.push_back(ike::make_payload(ike::KePayload{group_, Bytes(pv.begin(), pv.end())}));
  m.payloads.push_back(ike::make_payload(ike::NoncePayload{ni_}));
  m.payloads.push_back(
      ike::make_notify(ike::NotifyType::kNatDetectionSourceIp, sa::nat_detection_hash(spi_i_, ike::IkeSpi(0), self_)));
  m.payloads.push_back(ike::make_notify(ike::NotifyType::kNatDetectionDestinationIp,
                                        sa::nat_detection_hash(spi_i_, ike::IkeSpi(0), peer_)));
  m.payloads.push_back(ike::make_notify(ike::NotifyType::kIkev2FragmentationSupported));
  const ike::HashAlgorithm h[] = {ike::HashAlgorithm::kSha2_256};
  m.payloads.push_back(ike::make_signature_hash_algorithms(h));
  auto wire = ike::serialize_message(m);
  if (!wire) {
    fail("cannot serialize IKE_SA_INIT");
    return {};
  }
  init_request_ = std::move(*wire);
  return init_request_;
}

std::vector<Bytes> Negotiation::send(Bytes b, Clock::time_point now) {
  if (b.empty()) return {};
  outstanding_ = std::move(b);
  sends_ = 1;
  wait_ = cfg_.retransmit_base;
  deadline_ = now + wait_;
  return {outstanding_};
}

void Negotiation::fail(std::string why) {
  if (finished()) return;
  failure_ = std::move(why);
  state_ = State::kFailed;
  outstanding_.clear();
}

void Negotiation::finish(Clock::time_point now) {
  (void)now;
  state_ = State::kDone;
  outstanding_.clear();
}

std::vector<Bytes> Negotiation::on_timer(Clock::time_point now) {
  if (finished() || outstanding_.empty() || now < deadline_) return {};
  if (sends_ >= cfg_.retransmit_tries) {
    // A DELETE that goes unanswered does not undo an established SA.
    if (state_ == State::kDelete)
      finish(now);
    else
      fail("timeout");
    return {};
  }
  ++sends_;
  ++retransmissions_;
  wait_ *= 2;
  deadline_ = now + wait_;
  return {outstanding_};
}

std::vector<Bytes> Negotiation::on_datagram(std::span<const std::uint8_t> d, Clock::time_point now) {
  if (finished()) return {};
  auto h = ike::parse_header(d);
  if (!h || !h->response() || h->initiator() || h->spi_i != spi_i_) return {};
  if (state_ == State::kInit && h->exchange == ike::ExchangeType::kIkeSaInit && h->message_id.value() == 0) {
    auto m = ike::parse_message(d);
    if (!m) return {};  // garbage for our SPI: ignore, the retransmission timer runs on
    if (!ike::check_payload_rules(m->header.exchange, true, m->payloads, false)) {
      fail("INVALID_SYNTAX");
      return {};
    }
    init_response_.assign(d.begin(), d.end());
    return handle_init_response(*m, now);
  }
  if (h->spi_r != spi_r_) return {};
  if (state_ == State::kAuth && h->exchange == ike::ExchangeType::kIkeAuth && h->message_id.value() == 1)
    return handle_auth_response(d, now);
  const bool after_auth = state_ == State::kRekeyChild || state_ == State::kDeleteChild || state_ == State::kDelete;
  if (after_auth && h->message_id.value() == mid_) return handle_informational_or_rekey(d, now);
  return {};
}

std::vector<Bytes> Negotiation::handle_init_response(const ike::Message& m, Clock::time_point now) {
  if (const auto* c = ike::find_notify(m.payloads, ike::NotifyType::kCookie)) {
    if (init_retries_++ >= 4 || c->data.empty() || c->data.size() > 64) {
      fail("COOKIE");
      return {};
    }
    cookie_ = c->data;
    return send(build_init(), now);
  }
  if (const auto* k = ike::find_notify(m.payloads, ike::NotifyType::kInvalidKePayload)) {
    auto g = ike::parse_invalid_ke_payload(k->data);
    const bool offered = g && std::find(cfg_.ike.dh.begin(), cfg_.ike.dh.end(), *g) != cfg_.ike.dh.end();
    if (!offered || *g == group_ || init_retries_++ >= 4) {
      fail("INVALID_KE_PAYLOAD");
      return {};
    }
    group_ = *g;
    return send(build_init(), now);
  }
  if (auto e = error_notify(m.payloads)) {
    fail(*e);
    return {};
  }
  const auto* sa_p = ike::find_payload(m.payloads, ike::PayloadType::kSa);
  const auto* ke_p = ike::find_payload(m.payloads, ike::PayloadType::kKe);
  const auto* n_p = ike::find_payload(m.payloads, ike::PayloadType::kNonce);
  if (sa_p == nullptr || ke_p == nullptr || n_p == nullptr || m.header.spi_r.is_zero()) {
    fail("INVALID_SYNTAX");
    return {};
  }
  auto suite = chosen_suite(*ike::body_of<ike::SaPayload>(*sa_p));
  if (!suite) {
    fail("NO_PROPOSAL_CHOSEN");
    return {};
  }
  suite_ = *suite;
  spi_r_ = m.header.spi_r;
  nr_ = ike::body_of<ike::NoncePayload>(*n_p)->data;
  peer_childless_ = ike::find_notify(m.payloads, ike::NotifyType::kChildlessIkev2Supported) != nullptr;
  if (const auto* sh = ike::find_notify(m.payloads, ike::NotifyType::kSignatureHashAlgorithms))
    peer_hashes_ = ike::parse_signature_hash_algorithms(sh->data).value_or(std::vector<ike::HashAlgorithm>{});
  // RFC 7296 2.14: SKEYSEED = prf(Ni | Nr, g^ir), then SK_* from prf+.
  auto gir = ke_->shared_secret(ike::body_of<ike::KePayload>(*ke_p)->data);
  if (!gir) {
    fail("INVALID_KE_PAYLOAD");
    return {};
  }
  auto seed = crypto::skeyseed(suite_.prf, ni_, nr_, gir->view());
  if (!seed) {
    fail("key derivation");
    return {};
  }
  auto keys = crypto::derive_ike_keys(suite_, seed->view(), ni_, nr_, spi_i_, spi_r_);
  if (!keys) {
    fail("key derivation");
    return {};
  }
  keys_ = std::move(*keys);
  auto to = crypto::make_sk_cipher(suite_.encr, suite_.encr_key_bits, suite_.integ, keys_.sk_ei.view(),
                                   keys_.sk_ai.view(), rng_);
  auto from = crypto::make_sk_cipher(suite_.encr, suite_.encr_key_bits, suite_.integ, keys_.sk_er.view(),
                                     keys_.sk_ar.view(), rng_);
  if (!to || !from) {
    fail("unsupported cipher " + ike::to_string(suite_.encr));
    return {};
  }
  to_r_ = std::move(*to);
  from_r_ = std::move(*from);
  if (cfg_.child == ChildMode::kChildless && !peer_childless_) {
    fail("CHILDLESS_IKEV2_SUPPORTED missing");
    return {};
  }
  state_ = State::kAuth;
  return send(build_auth(), now);
}

}  // namespace answerd::bench
