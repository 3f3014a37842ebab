// Shared steps of the exchange tests: a full IKE_SA_INIT + IKE_AUTH as the
// initiator, with the RFC's message notation next to each step.
#pragma once

#include "harness.h"

namespace answerd::sa::test {

inline const ike::EspSpi kPeerSpi{0x11110001};

inline ike::SaPayload default_esp() { return esp_offer(kPeerSpi, ike::EncrId::kAesGcm16, 256); }

inline std::vector<ike::Payload> child_payloads(ike::SaPayload sa, std::vector<ike::TrafficSelector> tsi,
                                                std::vector<ike::TrafficSelector> tsr) {
  return {ike::make_payload(std::move(sa)), ike::make_payload(ike::PayloadType::kTsi, ike::TsPayload{std::move(tsi)}),
          ike::make_payload(ike::PayloadType::kTsr, ike::TsPayload{std::move(tsr)})};
}

inline std::vector<ike::Payload> default_child() {
  return child_payloads(default_esp(), {ts4("10.2.0.0", "10.2.255.255")}, {ts4("0.0.0.0", "255.255.255.255")});
}

// IKE_SA_INIT { HDR, SAi1, KEi, Ni } -->  <-- { HDR, SAr1, KEr, Nr }
inline void do_init(Harness& h, Initiator& ini) {
  auto r = h.send(ini, ini.init());
  ASSERT_EQ(r.size(), 1u);
  ASSERT_TRUE(ini.accept_init(r[0]));
}

// IKE_AUTH { HDR, SK { IDi, AUTH, [N...], [SAi2, TSi, TSr] } } -->
inline std::vector<ike::Payload> auth_request(Initiator& ini, const std::string& id, const std::string& psk,
                                              std::vector<ike::Payload> notifies, std::vector<ike::Payload> child) {
  const auto idi = fqdn(id);
  std::vector<ike::Payload> ps{ike::make_payload(ike::PayloadType::kIdi, idi), ike::make_payload(ini.psk_auth(psk, idi))};
  for (auto& n : notifies) ps.push_back(std::move(n));
  for (auto& c : child) ps.push_back(std::move(c));
  return ps;
}

// <-- IKE_AUTH { HDR, SK { IDr, AUTH, N(AUTH_LIFETIME), [SAr2, TSi, TSr] } }
inline Received establish(Harness& h, Initiator& ini, const std::string& id = "a.spoke.example",
                          std::vector<ike::Payload> child = default_child(), std::vector<ike::Payload> notifies = {},
                          const std::string& psk = kPsk) {
  do_init(h, ini);
  auto resp = h.send(ini, ini.encrypted(ike::ExchangeType::kIkeAuth, auth_request(ini, id, psk, std::move(notifies),
                                                                                   std::move(child))));
  auto rec = ini.open(resp);
  EXPECT_TRUE(rec.has_value());
  return rec.value_or(Received{});
}

inline const ike::SaPayload* sa_of(const Received& r) {
  const auto* p = r.find(ike::PayloadType::kSa);
  return p == nullptr ? nullptr : ike::body_of<ike::SaPayload>(*p);
}
inline std::vector<ike::TrafficSelector> ts_of(const Received& r, ike::PayloadType t) {
  const auto* p = r.find(t);
  return p == nullptr ? std::vector<ike::TrafficSelector>{} : ike::body_of<ike::TsPayload>(*p)->selectors;
}
inline ike::EspSpi esp_spi(const ike::SaPayload& sa) {
  return ike::EspSpi::from_wire(std::span<const std::uint8_t, 4>(sa.proposals.at(0).spi.data(), 4));
}
inline std::optional<std::uint16_t> transform_id(const ike::SaPayload& sa, ike::TransformType t) {
  for (const auto& x : sa.proposals.at(0).transforms)
    if (x.type == t) return x.id;
  return std::nullopt;
}

}  // namespace answerd::sa::test
