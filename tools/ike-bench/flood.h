// ike-bench flood: crafted IKE datagrams at a fixed rate, for the XDP verdicts
// (DESIGN.md "XDP verdicts") and the daemon's resistance to floods:
//   init                 IKE_SA_INIT requests, a fresh SPIi each (pass / rate_limited)
//   retransmit           one IKE_SA_INIT request repeated (retransmit_dropped)
//   role-violation       requests with the Initiator flag clear (role_violation)
//   unsolicited-response responses nobody asked for (unsolicited_response)
// With a spoof range, each datagram gets the next source address of the range
// through a raw IPv4 socket (IP_HDRINCL; needs CAP_NET_RAW).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/proposal_keywords.h"
#include "ike/crypto/random.h"
#include "ike/sa/types.h"
#include "util/expected.h"

namespace answerd::bench {

enum class FloodKind { kInit, kRetransmit, kRoleViolation, kUnsolicitedResponse };

[[nodiscard]] std::optional<FloodKind> parse_flood_kind(std::string_view s);

struct FloodConfig {
  FloodKind kind = FloodKind::kInit;
  sa::Endpoint target{};
  double rate = 1000;                      // datagrams per second
  double duration_s = 1;                   // exactly floor(rate * duration_s) datagrams are sent
  config::Proposal ike{};                  // offered in IKE_SA_INIT floods
  std::vector<config::IpAddress> spoof{};  // IPv4 sources; empty: one UDP socket
  std::uint16_t source_port = 500;         // with spoofing
};

struct FloodResult {
  std::uint64_t sent = 0, send_errors = 0;
  double duration_s = 0;
};

// The datagram number `i` of a flood (IKE header and body, no IP/UDP).
[[nodiscard]] std::vector<std::uint8_t> flood_datagram(const FloodConfig& cfg, std::uint64_t i, crypto::Random& rng);

[[nodiscard]] expected<FloodResult, std::string> flood(const FloodConfig& cfg);
[[nodiscard]] std::string to_json(const FloodConfig& cfg, const FloodResult& r);

}  // namespace answerd::bench
