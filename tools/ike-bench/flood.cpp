// ike-bench flood (see flood.h).
#include "tools/ike-bench/flood.h"

#include "ike/crypto/key_exchange.h"
#include "ike/wire/message.h"
#include "tools/ike-bench/negotiation.h"

namespace answerd::bench {

std::optional<FloodKind> parse_flood_kind(std::string_view s) {
  if (s == "init") return FloodKind::kInit;
  if (s == "retransmit") return FloodKind::kRetransmit;
  if (s == "role-violation") return FloodKind::kRoleViolation;
  if (s == "unsolicited-response") return FloodKind::kUnsolicitedResponse;
  return std::nullopt;
}

namespace {

ike::IkeSpi random_spi(crypto::Random& rng) {
  std::array<std::uint8_t, 8> b{};
  rng.fill(b);
  b[0] |= 1;  // never zero
  return ike::IkeSpi::from_wire(b);
}

// IKE_SA_INIT { HDR, SAi1, KEi, Ni } --> with a syntactically valid KE of the group.
std::vector<std::uint8_t> init_request(const FloodConfig& cfg, ike::IkeSpi spi, crypto::Random& rng) {
  const auto g = cfg.ike.dh.empty() ? ike::DhGroup::kCurve25519 : cfg.ike.dh.front();
  ike::Message m;
  m.header = ike::Header{.spi_i = spi,
                         .spi_r = ike::IkeSpi(0),
                         .exchange = ike::ExchangeType::kIkeSaInit,
                         .flags = ike::kFlagInitiator,
                         .message_id = ike::MessageId(0)};
  m.payloads.push_back(ike::make_payload(ike_offer(cfg.ike)));
  Bytes pv(32, 9);
  if (auto ke = crypto::make_key_exchange(g, rng)) {
    const auto v = (*ke)->public_value();
    pv.assign(v.begin(), v.end());
  }
  m.payloads.push_back(ike::make_payload(ike::KePayload{g, pv}));
  Bytes nonce(32);
  rng.fill(nonce);
  m.payloads.push_back(ike::make_payload(ike::NoncePayload{nonce}));
  auto w = ike::serialize_message(m);
  return w ? std::move(*w) : std::vector<std::uint8_t>{};
}

// HDR, SK {} of an INFORMATIONAL with the given flags: the SK body is random (it
// must never be decryptable; the filter looks at the header only).
std::vector<std::uint8_t> informational(std::uint8_t flags, crypto::Random& rng) {
  std::vector<std::uint8_t> d(28 + 4 + 48);
  const auto si = random_spi(rng).bytes(), sr = random_spi(rng).bytes();
  std::copy(si.begin(), si.end(), d.begin());
  std::copy(sr.begin(), sr.end(), d.begin() + 8);
  d[16] = static_cast<std::uint8_t>(ike::PayloadType::kSk);
  d[17] = 0x20;
  d[18] = static_cast<std::uint8_t>(ike::ExchangeType::kInformational);
  d[19] = flags;
  d[23] = 7;  // message ID
  d[26] = static_cast<std::uint8_t>(d.size() >> 8);
  d[27] = static_cast<std::uint8_t>(d.size());
  d[28] = 0;  // SK: next payload none
  d[31] = 52;
  rng.fill(std::span<std::uint8_t>(d).subspan(32));
  return d;
}

}  // namespace

std::vector<std::uint8_t> flood_datagram(const FloodConfig& cfg, std::uint64_t i, crypto::Random& rng) {
  switch (cfg.kind) {
    case FloodKind::kInit:
      return init_request(cfg, random_spi(rng), rng);
    case FloodKind::kRetransmit: {
      (void)i;
      crypto::DeterministicRandom fixed(0x1ce);  // the same request every time
      return init_request(cfg, random_spi(fixed), fixed);
    }
    case FloodKind::kRoleViolation:
      return informational(0, rng);  // neither I nor R: "we" initiated
    case FloodKind::kUnsolicitedResponse:
      return informational(ike::kFlagInitiator | ike::kFlagResponse, rng);
  }
  return {};
}

}  // namespace answerd::bench
