// ike-bench: the results of a run and their report. Every latency is recorded;
// percentiles are computed once at the end (nearest-rank, no sampling). The JSON
// field names are a contract for scripts and docs/benchmarks.md:
//   {"target","proposal","child","concurrency","duration_s","started","completed",
//    "failed","retransmissions","init_retries","child_rekeys","handshakes_per_s",
//    "latency_ms":{"min","p50","p90","p99","max","mean"},"failures":{NAME:count}}
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace answerd::bench {

struct RunInfo {
  std::string target;
  std::string proposal;
  std::string child;  // "esp", "childless"
  std::uint32_t concurrency = 0;
};

struct Results {
  std::vector<double> latencies_ms;  // one per completed negotiation
  std::uint64_t started = 0, completed = 0, failed = 0;
  std::uint64_t retransmissions = 0, init_retries = 0, child_rekeys = 0;
  std::map<std::string, std::uint64_t> failures;  // by notify name or "timeout"
  double duration_s = 0;

  void record_failure(const std::string& why) {
    ++failed;
    ++failures[why];
  }
};

struct LatencySummary {
  double min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};

// Nearest-rank percentile (p in (0, 100]) of sorted values; 0 when empty.
[[nodiscard]] double percentile(const std::vector<double>& sorted, double p);
[[nodiscard]] LatencySummary summarize(std::vector<double> values);
[[nodiscard]] double handshakes_per_s(const Results& r);

[[nodiscard]] std::string to_json(const RunInfo& info, const Results& r);
[[nodiscard]] std::string to_text(const RunInfo& info, const Results& r);
// The one-line progress display ("\r" prefixed, no newline).
[[nodiscard]] std::string progress_line(const Results& r, double elapsed_s, std::uint64_t in_flight);

}  // namespace answerd::bench
