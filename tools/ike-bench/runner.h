// ike-bench: the event loop that runs many negotiations at once (epoll, one
// non-blocking UDP socket per local address, responses demultiplexed by SPIi),
// with concurrency, count/duration and rate limits, and the progress display.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/ike-bench/negotiation.h"
#include "tools/ike-bench/report.h"
#include "util/expected.h"

namespace answerd::bench {

struct RunConfig {
  sa::Endpoint target{};
  std::vector<config::IpAddress> locals{};  // one socket each; empty: the wildcard address
  std::uint32_t ports_per_address = 1;      // sockets (distinct ephemeral source ports) per local address
  std::uint32_t concurrency = 1;
  std::uint64_t count = 0;                      // negotiations to start; 0: until duration
  double duration_s = 0;                        // stop starting after this; 0: until count
  double rate = 0;                              // starts per second; 0: as fast as concurrency allows
  std::string id_pattern = "spoke-%d.example";  // %d: sequence number from 1
  bool progress = false;
  InitiatorConfig initiator{};
};

// "spoke-%d.example", 7 -> "spoke-7.example" (every %d; %% is a literal %).
[[nodiscard]] std::string expand_id(const std::string& pattern, std::uint64_t n);

// Runs to completion; an error only when the sockets cannot be set up.
[[nodiscard]] expected<Results, std::string> run(const RunConfig& cfg);

}  // namespace answerd::bench
