// XdpMaps: typed access to the XDP filter's maps, used by the daemon (through
// XdpProgram::maps()) and by answerctl (open_pinned(), no daemon needed). Owns one
// fd per map. Per-CPU values are read for every possible CPU and summed here:
// counters and bytes add up, first_seen_ns is the earliest non-zero, last_seen_ns
// the latest. Times are CLOCK_MONOTONIC nanoseconds (bpf_ktime_get_ns).
#pragma once

#include "bpf/answer_xdp_shared.h"

#include <functional>  // before types.h, which specialises std::hash without it

#include "ike/wire/types.h"
#include "util/unique_fd.h"
#include "kernel/xdp/xdp_error.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// The layouts are shared with the BPF program: these sizes are the map key and
// value sizes the pinned maps were created with (a change bumps the layout version).
static_assert(sizeof(answer_stats) == 14 * 8);
static_assert(offsetof(answer_stats, other) == (ANSWER_CNT_OTHER)*8);
static_assert(offsetof(answer_stats, bytes) == ANSWER_CNT_MAX * 8);
static_assert(sizeof(answer_addr) == 16);
static_assert(sizeof(answer_allow_key) == 20);
static_assert(sizeof(answer_inflight_key) == 32);
static_assert(sizeof(answer_outstanding_key) == 24);
static_assert(sizeof(answer_bucket) == 16);
static_assert(sizeof(answer_config) == 32);

namespace answerd::kernel::xdp {

inline constexpr std::array<std::string_view, ANSWER_CNT_MAX> kCounterNames =
    ANSWER_COUNTER_NAMES;

[[nodiscard]] inline std::uint64_t counter(const answer_stats& s, answer_counter c) {
  const std::array<std::uint64_t, ANSWER_CNT_MAX> v = {
      s.malformed,          s.unknown_peer, s.role_violation,  s.unsolicited_response,
      s.retransmit_dropped, s.rate_limited, s.ike_sa_init,     s.ike_auth,
      s.create_child_sa,    s.informational, s.other};
  return c < ANSWER_CNT_MAX ? v[c] : 0;
}

// Sum of per-CPU values (see the header comment).
[[nodiscard]] answer_stats sum_stats(std::span<const answer_stats> per_cpu);

struct PeerStats {
  answer_addr addr{};
  answer_stats stats{};
};

// The config the daemon writes by default (DESIGN.md: ports 500/4500, init_rate
// 200, init_burst 50, allowlist off).
[[nodiscard]] answer_config default_config();

class XdpMaps {
 public:
  enum Map { kConfig, kPeerStats, kGlobalStats, kAllow, kInflight, kOutstanding, kInitBucket,
             kMapCount };
  static constexpr std::array<const char*, kMapCount> kMapNames = {
      "config", "peer_stats", "global_stats", "allow", "inflight", "outstanding", "init_bucket"};

  // Opens the maps pinned under <bpffs>/v<N>/ (answerctl; works with the daemon stopped).
  [[nodiscard]] static Result<XdpMaps> open_pinned(const std::string& bpffs);
  // Takes the given fds (index = Map); used by XdpProgram.
  [[nodiscard]] static Result<XdpMaps> adopt(std::array<UniqueFd, kMapCount> fds);

  // Counters.
  [[nodiscard]] Result<std::vector<PeerStats>> peers() const;
  [[nodiscard]] Result<std::optional<answer_stats>> peer(const answer_addr& a) const;
  [[nodiscard]] Result<std::vector<answer_stats>> peer_per_cpu(const answer_addr& a) const;
  [[nodiscard]] Result<answer_stats> global() const;
  [[nodiscard]] Result<std::vector<answer_stats>> global_per_cpu() const;
  // Returns whether the peer had an entry.
  [[nodiscard]] Result<bool> reset_peer(const answer_addr& a);
  // Removes every peer entry; returns how many were removed.
  [[nodiscard]] Result<std::size_t> reset_peers();
  [[nodiscard]] Result<void> reset_global();

  // Config (validated: rate and burst within ANSWER_MAX_RATE / ANSWER_MAX_BURST).
  [[nodiscard]] Result<answer_config> config() const;
  [[nodiscard]] Result<void> set_config(const answer_config& c);

  // Allowlist (consulted only with ANSWER_CFG_ALLOWLIST in the config flags).
  [[nodiscard]] Result<void> allow_add(const answer_allow_key& prefix);
  [[nodiscard]] Result<std::size_t> allow_clear();

  // IKE_SA_INIT answers being computed (DESIGN.md verdict 7). set stamps now.
  [[nodiscard]] Result<void> inflight_set(const answer_addr& src, std::uint16_t sport,
                                          ike::IkeSpi spi_i);
  [[nodiscard]] Result<bool> inflight_clear(const answer_addr& src, std::uint16_t sport,
                                            ike::IkeSpi spi_i);
  // Requests we sent whose responses may pass (verdict 5). add stamps now.
  [[nodiscard]] Result<void> outstanding_add(ike::IkeSpi spi_i, ike::IkeSpi spi_r,
                                             ike::MessageId id);
  [[nodiscard]] Result<bool> outstanding_remove(ike::IkeSpi spi_i, ike::IkeSpi spi_r,
                                                ike::MessageId id);
  // Empties a map (tests, `answerctl` resets). Returns the number of entries removed.
  [[nodiscard]] Result<std::size_t> clear(Map m);

  [[nodiscard]] int fd(Map m) const { return fds_[m].get(); }

 private:
  explicit XdpMaps(std::array<UniqueFd, kMapCount> fds, int ncpus)
      : fds_(std::move(fds)), ncpus_(ncpus) {}
  [[nodiscard]] Result<std::vector<answer_stats>> read_percpu(Map m, const void* key) const;
  [[nodiscard]] Result<bool> remove(Map m, const void* key);

  std::array<UniqueFd, kMapCount> fds_;
  int ncpus_ = 1;
};

[[nodiscard]] answer_inflight_key inflight_key(const answer_addr& src, std::uint16_t sport,
                                               ike::IkeSpi spi_i);
[[nodiscard]] answer_outstanding_key outstanding_key(ike::IkeSpi spi_i, ike::IkeSpi spi_r,
                                                     ike::MessageId id);

}  // namespace answerd::kernel::xdp
