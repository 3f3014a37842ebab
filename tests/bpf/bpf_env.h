// Test environment for the BPF tests: a private bpffs mount (so tests never touch
// /sys/fs/bpf/answerd), the root check with a skip reason, and running a frame
// through the loaded program with BPF_PROG_TEST_RUN.
#pragma once

#include "packet_builder.h"

#include <cstdint>
#include <optional>
#include <string>

namespace answerd::test {

// Why BPF tests cannot run here, or nullopt when they can (root with CAP_BPF).
[[nodiscard]] std::optional<std::string> bpf_skip_reason();

// A fresh bpffs on /sys/fs/bpf in a private mount namespace of this process;
// unmounted on destruction. Never touches the machine's own bpffs.
class PrivateBpffs {
 public:
  PrivateBpffs();
  ~PrivateBpffs();
  PrivateBpffs(const PrivateBpffs&) = delete;
  PrivateBpffs& operator=(const PrivateBpffs&) = delete;
  [[nodiscard]] bool ok() const { return !root_.empty() && mounted_; }
  // The folder to pass as LoadOptions::bpffs.
  [[nodiscard]] std::string path() const { return root_ + "/answerd-test"; }
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  std::string root_;
  std::string error_;
  bool mounted_ = false;
};

struct RunResult {
  int err = 0;  // 0, or the errno of bpf_prog_test_run_opts
  std::uint32_t action = 0;
  std::uint32_t duration_ns = 0;  // average per repeat
};

[[nodiscard]] RunResult test_run(int prog_fd, const Bytes& frame, std::uint32_t repeat = 1);

}  // namespace answerd::test
