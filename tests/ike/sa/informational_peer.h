// Test helpers for answerd's own INFORMATIONAL requests: the scripted initiator
// opens what the responder sends and answers it (RFC 7296 1.4: the response carries
// the request's message ID and the Response flag; the original initiator keeps its
// Initiator flag).
#pragma once

#include "helpers.h"

namespace answerd::sa::test {

// <-- INFORMATIONAL response { HDR (I, R), SK { payloads } } to our request `mid`.
inline Bytes answer(Initiator& ini, std::uint32_t mid, const std::vector<ike::Payload>& ps = {}) {
  auto h = ini.header(ike::ExchangeType::kInformational, mid);
  h.flags = ike::kFlagInitiator | ike::kFlagResponse;
  auto inner = *ike::serialize_payload_chain(ps);
  auto layout = *ike::build_sk_message(h, ike::chain_first_type(ps), ini.to_r->sealed_size(inner.size()));
  auto sealed = *ini.to_r->seal(layout.aad(), inner);
  std::copy(sealed.begin(), sealed.end(), layout.encrypted().begin());
  return layout.message;
}

inline ike::Payload delete_ike() { return ike::make_payload(ike::DeletePayload{ike::ProtocolId::kIke, 0, {}}); }

// The engine's timers at `h.now`; what they sent to `ini`.
inline std::vector<Bytes> tick(Harness& h, Initiator& ini, Output* keep = nullptr) {
  Output out = h.r.on_timer(h.now);
  auto sent = h.collect(out, ini);
  if (keep != nullptr) *keep = std::move(out);
  return sent;
}

inline std::string state_of(Harness& h) {
  auto s = h.r.snapshot(h.now);
  return s.empty() ? "" : s.at(0).state;
}

// Our request as the initiator sees it: a request, Initiator flag clear, INFORMATIONAL.
inline Received our_request(const Initiator& ini, const std::vector<Bytes>& sent) {
  EXPECT_EQ(sent.size(), 1u);
  auto r = ini.open(sent);
  EXPECT_TRUE(r.has_value());
  if (!r) return Received{};
  EXPECT_FALSE(r->header.response());
  EXPECT_FALSE(r->header.initiator());
  EXPECT_EQ(r->header.exchange, ike::ExchangeType::kInformational);
  return *r;
}

inline std::string with_dpd(const std::string& delay) {
  std::string conf = kHubConf;
  const std::string anchor = "rekey_time = 4h\n";
  conf.replace(conf.find(anchor), anchor.size(), anchor + "    dpd_delay = " + delay + "\n");
  return conf;
}

// Short backoff for the tests: sends at 0, 1 s, 3 s; given up at 7 s.
inline Options quick_retransmits() {
  Options o;
  o.retransmit_timeout = std::chrono::seconds(1);
  o.retransmit_base = 2.0;
  o.retransmit_tries = 2;
  return o;
}

}  // namespace answerd::sa::test
