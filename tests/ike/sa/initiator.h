// Test-only scripted IKEv2 initiator, built on the wire codec and the crypto suite,
// that drives the responder engine the way strongSwan would. It builds requests,
// derives the keys on its own side and opens the responder's messages with them,
// so every check of a response is independent of the engine's key handling.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ike/crypto/key_exchange.h"
#include "ike/crypto/keymat.h"
#include "ike/crypto/psk_auth.h"
#include "ike/crypto/random.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/sa/cookies.h"
#include "ike/sa/types.h"
#include "ike/wire/message.h"
#include "ike/wire/notify_data.h"
#include "ike/wire/sk.h"

namespace answerd::sa::test {

using ike::Bytes;

struct Suite {
  ike::EncrId encr = ike::EncrId::kAesGcm16;
  std::uint16_t bits = 256;
  ike::PrfId prf = ike::PrfId::kHmacSha2_256;
  ike::IntegId integ = ike::IntegId::kNone;
  ike::DhGroup group = ike::DhGroup::kCurve25519;
};

struct Received {
  ike::Header header{};
  std::vector<ike::Payload> payloads{};
  [[nodiscard]] const ike::NotifyPayload* notify(ike::NotifyType t) const { return ike::find_notify(payloads, t); }
  [[nodiscard]] const ike::Payload* find(ike::PayloadType t) const { return ike::find_payload(payloads, t); }
};

inline config::IpAddress ip(const std::string& s) { return *config::parse_ip(s); }

inline ike::TrafficSelector ts4(const std::string& from, const std::string& to, std::uint8_t proto = 0,
                                std::uint16_t p0 = 0, std::uint16_t p1 = 0xffff) {
  auto a = ip(from), b = ip(to);
  return ike::TrafficSelector{.ts_type = ike::TsType::kIpv4AddrRange, .ip_protocol = proto, .start_port = p0,
                              .end_port = p1, .start_addr = Bytes(a.bytes.begin(), a.bytes.begin() + 4),
                              .end_addr = Bytes(b.bytes.begin(), b.bytes.begin() + 4), .raw = {}};
}

class Initiator {
 public:
  Initiator(Suite s, std::uint64_t seed, Endpoint me, Endpoint responder)
      : suite(s), rng(seed), self(std::move(me)), peer(std::move(responder)) {
    std::array<std::uint8_t, 8> b{};
    rng.fill(b);
    spi_i = ike::IkeSpi::from_wire(b);
  }

  Suite suite;
  crypto::DeterministicRandom rng;
  Endpoint self, peer;
  ike::IkeSpi spi_i{}, spi_r{};
  Bytes ni, nr, init_request, init_response;
  std::unique_ptr<crypto::KeyExchange> ke;
  crypto::IkeKeys keys{};
  std::unique_ptr<crypto::SkCipher> to_r, from_r;
  std::uint32_t next_mid = 1;
  bool offer_fragmentation = true;
  // SIGNATURE_HASH_ALGORITHMS we announce (RFC 7427 4).
  std::vector<ike::HashAlgorithm> sig_hashes{ike::HashAlgorithm::kSha2_256};

  [[nodiscard]] ike::SaPayload ike_offer(const std::vector<Suite>& suites) const {
    ike::SaPayload sa;
    std::uint8_t n = 1;
    for (const auto& s : suites) {
      ike::Proposal p{.number = n++, .protocol = ike::ProtocolId::kIke, .spi = {}, .transforms = {}};
      p.transforms.push_back(ike::make_transform(ike::TransformType::kEncr, static_cast<std::uint16_t>(s.encr),
                                                 s.bits ? std::optional<std::uint16_t>(s.bits) : std::nullopt));
      p.transforms.push_back(ike::make_transform(ike::TransformType::kPrf, static_cast<std::uint16_t>(s.prf)));
      if (s.integ != ike::IntegId::kNone)
        p.transforms.push_back(ike::make_transform(ike::TransformType::kInteg, static_cast<std::uint16_t>(s.integ)));
      p.transforms.push_back(ike::make_transform(ike::TransformType::kDh, static_cast<std::uint16_t>(s.group)));
      sa.proposals.push_back(std::move(p));
    }
    return sa;
  }

  // IKE_SA_INIT { HDR, [N(COOKIE),] SAi1, KEi, Ni, N(NAT_DETECTION_*), N(FRAG_SUP), N(SIG_HASH) } -->
  Bytes init(std::optional<ike::DhGroup> ke_group = std::nullopt, const Bytes& cookie = {},
             std::optional<ike::SaPayload> offer = std::nullopt) {
    const auto g = ke_group.value_or(suite.group);
    ke = std::move(*crypto::make_key_exchange(g, rng));
    if (ni.empty()) {
      ni.resize(32);
      rng.fill(ni);
    }
    ike::Message m;
    m.header = header(ike::ExchangeType::kIkeSaInit, 0);
    m.header.spi_r = ike::IkeSpi(0);
    if (!cookie.empty()) m.payloads.push_back(ike::make_notify(ike::NotifyType::kCookie, cookie));
    m.payloads.push_back(ike::make_payload(offer.value_or(ike_offer({suite}))));
    const auto pv = ke->public_value();
    m.payloads.push_back(ike::make_payload(ike::KePayload{g, Bytes(pv.begin(), pv.end())}));
    m.payloads.push_back(ike::make_payload(ike::NoncePayload{ni}));
    m.payloads.push_back(ike::make_notify(ike::NotifyType::kNatDetectionSourceIp, nat_detection_hash(spi_i, ike::IkeSpi(0), self)));
    m.payloads.push_back(ike::make_notify(ike::NotifyType::kNatDetectionDestinationIp, nat_detection_hash(spi_i, ike::IkeSpi(0), peer)));
    if (offer_fragmentation) m.payloads.push_back(ike::make_notify(ike::NotifyType::kIkev2FragmentationSupported));
    m.payloads.push_back(ike::make_signature_hash_algorithms(sig_hashes));
    init_request = *ike::serialize_message(m);
    return init_request;
  }

  // <-- IKE_SA_INIT { HDR, SAr1, KEr, Nr, ... }: derive our keys (RFC 7296 2.14).
  [[nodiscard]] bool accept_init(const Bytes& resp) {
    auto m = ike::parse_message(resp);
    if (!m || !m->header.response()) return false;
    const auto* ke_p = ike::find_payload(m->payloads, ike::PayloadType::kKe);
    const auto* n_p = ike::find_payload(m->payloads, ike::PayloadType::kNonce);
    if (ke_p == nullptr || n_p == nullptr) return false;
    init_response = resp;
    spi_r = m->header.spi_r;
    nr = ike::body_of<ike::NoncePayload>(*n_p)->data;
    auto gir = ke->shared_secret(ike::body_of<ike::KePayload>(*ke_p)->data);
    if (!gir) return false;
    const crypto::IkeSuite s{.encr = suite.encr, .encr_key_bits = suite.bits, .prf = suite.prf, .integ = suite.integ};
    auto seed = crypto::skeyseed(suite.prf, ni, nr, gir->view());
    keys = std::move(*crypto::derive_ike_keys(s, seed->view(), ni, nr, spi_i, spi_r));
    to_r = std::move(*crypto::make_sk_cipher(s.encr, s.encr_key_bits, s.integ, keys.sk_ei.view(), keys.sk_ai.view(), rng));
    from_r = std::move(*crypto::make_sk_cipher(s.encr, s.encr_key_bits, s.integ, keys.sk_er.view(), keys.sk_ar.view(), rng));
    return true;
  }

  [[nodiscard]] ike::Header header(ike::ExchangeType x, std::uint32_t mid) const {
    return ike::Header{.spi_i = spi_i, .spi_r = spi_r, .exchange = x, .flags = ike::kFlagInitiator,
                       .message_id = ike::MessageId(mid)};
  }

  // HDR, SK { payloads } with the next message ID (or `mid`).
  Bytes encrypted(ike::ExchangeType x, const std::vector<ike::Payload>& ps, std::optional<std::uint32_t> mid = {}) {
    const std::uint32_t id = mid.value_or(next_mid++);
    auto inner = *ike::serialize_payload_chain(ps);
    auto layout = *ike::build_sk_message(header(x, id), ike::chain_first_type(ps), to_r->sealed_size(inner.size()));
    auto sealed = *to_r->seal(layout.aad(), inner);
    std::copy(sealed.begin(), sealed.end(), layout.encrypted().begin());
    return layout.message;
  }

  // The same request as RFC 7383 fragments of at most `chunk` inner octets.
  std::vector<Bytes> fragments(ike::ExchangeType x, const std::vector<ike::Payload>& ps, std::size_t chunk) {
    const std::uint32_t id = next_mid++;
    auto inner = *ike::serialize_payload_chain(ps);
    const auto total = static_cast<std::uint16_t>((inner.size() + chunk - 1) / chunk);
    std::vector<Bytes> out;
    for (std::uint16_t i = 0; i < total; ++i) {
      const std::size_t from = i * chunk, len = std::min(chunk, inner.size() - from);
      auto layout = *ike::build_skf_message(header(x, id), i == 0 ? ike::chain_first_type(ps) : ike::PayloadType::kNone,
                                            static_cast<std::uint16_t>(i + 1), total, to_r->sealed_size(len));
      Bytes part(inner.begin() + static_cast<std::ptrdiff_t>(from), inner.begin() + static_cast<std::ptrdiff_t>(from + len));
      auto sealed = *to_r->seal(layout.aad(), part);
      std::copy(sealed.begin(), sealed.end(), layout.encrypted().begin());
      out.push_back(std::move(layout.message));
    }
    return out;
  }

  // Opens a response (SK, or every SKF fragment of it) with SK_er / SK_ar.
  [[nodiscard]] std::optional<Received> open(const std::vector<Bytes>& dgrams) const {
    Received r;
    Bytes plain;
    ike::PayloadType first = ike::PayloadType::kNone;
    for (const auto& d : dgrams) {
      auto h = ike::parse_header(d);
      auto v = ike::locate_encrypted(d);
      if (!h || !v) return std::nullopt;
      r.header = *h;
      auto o = from_r->open(Bytes(v->aad.begin(), v->aad.end()), Bytes(v->encrypted.begin(), v->encrypted.end()));
      if (!o) return std::nullopt;
      if (v->type == ike::PayloadType::kSk || v->fragment_number == 1) first = v->first_inner;
      plain.insert(plain.end(), o->begin(), o->end());
    }
    auto ps = ike::parse_payload_chain(first, plain);
    if (!ps) return std::nullopt;
    r.payloads = std::move(*ps);
    return r;
  }

  // RFC 7296 2.15: our AUTH over the IKE_SA_INIT request, Nr and prf(SK_pi, IDi').
  [[nodiscard]] ike::AuthPayload psk_auth(const std::string& psk, const ike::IdPayload& idi) const {
    const auto body = *ike::serialize_body(ike::PayloadBody(idi));
    auto v = crypto::psk_auth(suite.prf, Bytes(psk.begin(), psk.end()),
                              {init_request, nr, Bytes(keys.sk_pi.view().begin(), keys.sk_pi.view().end()), body});
    return ike::AuthPayload{ike::AuthMethod::kSharedKeyMic, *v};
  }

  // The responder's AUTH over its IKE_SA_INIT response, Ni and prf(SK_pr, IDr').
  [[nodiscard]] bool verify_responder_auth(const std::string& psk, const Received& r) const {
    const auto* idr = r.find(ike::PayloadType::kIdr);
    const auto* auth = r.find(ike::PayloadType::kAuth);
    if (idr == nullptr || auth == nullptr) return false;
    const auto body = *ike::serialize_body(idr->body);
    return crypto::verify_psk_auth(suite.prf, Bytes(psk.begin(), psk.end()),
                                   {init_response, ni, Bytes(keys.sk_pr.view().begin(), keys.sk_pr.view().end()), body},
                                   ike::body_of<ike::AuthPayload>(*auth)->data)
        .has_value();
  }

  // Child SA KEYMAT as the initiator computes it (RFC 7296 2.17).
  [[nodiscard]] crypto::ChildKeys child_keys(const crypto::ChildSuite& cs, std::span<const std::uint8_t> g_ir,
                                             const Bytes& n_i, const Bytes& n_r) const {
    return std::move(*crypto::derive_child_keys(suite.prf, keys.sk_d.view(), cs, g_ir, n_i, n_r));
  }
};

// An ESP proposal with a 4-octet SPI (RFC 7296 3.3.1).
inline ike::SaPayload esp_offer(ike::EspSpi spi, ike::EncrId encr, std::uint16_t bits,
                                ike::IntegId integ = ike::IntegId::kNone,
                                std::optional<ike::DhGroup> pfs = std::nullopt) {
  const auto b = spi.bytes();
  ike::Proposal p{.number = 1, .protocol = ike::ProtocolId::kEsp, .spi = Bytes(b.begin(), b.end()), .transforms = {}};
  p.transforms.push_back(ike::make_transform(ike::TransformType::kEncr, static_cast<std::uint16_t>(encr),
                                             bits ? std::optional<std::uint16_t>(bits) : std::nullopt));
  if (integ != ike::IntegId::kNone)
    p.transforms.push_back(ike::make_transform(ike::TransformType::kInteg, static_cast<std::uint16_t>(integ)));
  if (pfs) p.transforms.push_back(ike::make_transform(ike::TransformType::kDh, static_cast<std::uint16_t>(*pfs)));
  p.transforms.push_back(ike::make_transform(ike::TransformType::kEsn, 0));
  return ike::SaPayload{{std::move(p)}};
}

inline ike::IdPayload fqdn(const std::string& s) { return ike::IdPayload{ike::IdType::kFqdn, Bytes(s.begin(), s.end())}; }

}  // namespace answerd::sa::test
