// ike-bench: percentiles and the text/JSON report (see report.h).
#include "tools/ike-bench/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numeric>

namespace answerd::bench {

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

LatencySummary summarize(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  return LatencySummary{.min = v.front(),
                        .p50 = percentile(v, 50),
                        .p90 = percentile(v, 90),
                        .p99 = percentile(v, 99),
                        .max = v.back(),
                        .mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size())};
}

double handshakes_per_s(const Results& r) {
  return r.duration_s > 0 ? static_cast<double>(r.completed) / r.duration_s : 0;
}

namespace {
double round3(double x) { return std::round(x * 1000.0) / 1000.0; }
}  // namespace

std::string to_json(const RunInfo& info, const Results& r) {
  const auto l = summarize(r.latencies_ms);
  nlohmann::ordered_json j;
  j["target"] = info.target;
  j["proposal"] = info.proposal;
  j["child"] = info.child;
  j["concurrency"] = info.concurrency;
  j["duration_s"] = round3(r.duration_s);
  j["started"] = r.started;
  j["completed"] = r.completed;
  j["failed"] = r.failed;
  j["retransmissions"] = r.retransmissions;
  j["init_retries"] = r.init_retries;
  j["child_rekeys"] = r.child_rekeys;
  j["handshakes_per_s"] = round3(handshakes_per_s(r));
  j["latency_ms"] = {{"min", round3(l.min)}, {"p50", round3(l.p50)}, {"p90", round3(l.p90)},
                     {"p99", round3(l.p99)}, {"max", round3(l.max)}, {"mean", round3(l.mean)}};
  j["failures"] = nlohmann::ordered_json::object();
  for (const auto& [name, n] : r.failures) j["failures"][name] = n;
  return j.dump(2) + "\n";
}

std::string to_text(const RunInfo& info, const Results& r) {
  const auto l = summarize(r.latencies_ms);
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "target %s  proposal %s  child %s  concurrency %u\n"
                "completed %llu/%llu in %.3f s: %.1f handshakes/s, %llu failed, %llu retransmissions\n"
                "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  (min %.3f max %.3f)\n",
                info.target.c_str(), info.proposal.c_str(), info.child.c_str(), info.concurrency,
                static_cast<unsigned long long>(r.completed), static_cast<unsigned long long>(r.started), r.duration_s,
                handshakes_per_s(r), static_cast<unsigned long long>(r.failed),
                static_cast<unsigned long long>(r.retransmissions), l.p50, l.p90, l.p99, l.min, l.max);
  std::string out = buf;
  for (const auto& [name, n] : r.failures) out += "  failed: " + name + " x" + std::to_string(n) + "\n";
  return out;
}

std::string progress_line(const Results& r, double elapsed_s, std::uint64_t in_flight) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "\r%7.1fs  done %llu  failed %llu  in flight %llu  %.1f/s   ", elapsed_s,
                static_cast<unsigned long long>(r.completed), static_cast<unsigned long long>(r.failed),
                static_cast<unsigned long long>(in_flight),
                elapsed_s > 0 ? static_cast<double>(r.completed) / elapsed_s : 0.0);
  return buf;
}

}  // namespace answerd::bench
