// gtest fixture for tests that run frames through the loaded XDP filter: one
// program per test suite in a private bpffs, every map emptied before each test,
// and counter snapshots to compare deltas.
#pragma once

#include "bpf_env.h"
#include "kernel/xdp/peer_addr.h"
#include "kernel/xdp/xdp_program.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>

namespace answerd::test {

namespace xdp = answerd::kernel::xdp;

class XdpFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  // Empties every map and writes `cfg` (default: default_config()).
  void reset(const answer_config& cfg = xdp::default_config());
  [[nodiscard]] static xdp::XdpMaps& maps() { return program_->maps(); }
  [[nodiscard]] static int prog_fd() { return program_->prog_fd(); }
  [[nodiscard]] static answer_stats global();
  [[nodiscard]] static std::optional<answer_stats> peer(const std::string& addr);
  [[nodiscard]] static answer_addr addr(const std::string& text);

  // Expects that exactly counter `c` moved by one between `before` and `after`
  // (nullopt: no counter moved), and bytes by `bytes`.
  static void expect_delta(const answer_stats& before, const answer_stats& after,
                           std::optional<answer_counter> c, std::uint64_t bytes,
                           const std::string& where);

  static inline std::unique_ptr<PrivateBpffs> bpffs_;
  static inline std::unique_ptr<xdp::XdpProgram> program_;
  static inline std::string skip_;
};

}  // namespace answerd::test
