// BPF test environment; see bpf_env.h.
#include "bpf_env.h"

#include <bpf/bpf.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace answerd::test {

std::optional<std::string> bpf_skip_reason() {
  if (::geteuid() != 0)
    return "needs root: loads an XDP program, mounts bpffs and uses BPF_PROG_TEST_RUN";
  return std::nullopt;
}

// The bpffs is mounted on /sys/fs/bpf in a mount namespace of this process only:
// the canonical place, invisible to (and safe from) everything else on the
// machine, and gone with the process.
PrivateBpffs::PrivateBpffs() {
  if (::unshare(CLONE_NEWNS) != 0) {
    error_ = std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
    return;
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    error_ = std::string("make / private: ") + std::strerror(errno);
    return;
  }
  root_ = "/sys/fs/bpf";
  if (::mount("bpf", root_.c_str(), "bpf", 0, "mode=0700") != 0) {
    error_ = "mount -t bpf bpf " + root_ + ": " + std::strerror(errno);
    return;
  }
  mounted_ = true;
}

PrivateBpffs::~PrivateBpffs() {
  if (mounted_) ::umount2(root_.c_str(), MNT_DETACH);
}

RunResult test_run(int prog_fd, const Bytes& frame, std::uint32_t repeat) {
  Bytes out(frame.size() + 256);
  bpf_test_run_opts opts{};  // LIBBPF_OPTS is a GNU C statement expression
  opts.sz = sizeof opts;
  opts.data_in = frame.data();
  opts.data_out = out.data();
  opts.data_size_in = static_cast<std::uint32_t>(frame.size());
  opts.data_size_out = static_cast<std::uint32_t>(out.size());
  opts.repeat = static_cast<int>(repeat);
  RunResult r;
  if (::bpf_prog_test_run_opts(prog_fd, &opts) != 0) {
    r.err = errno;
    return r;
  }
  r.action = opts.retval;
  r.duration_ns = opts.duration;
  return r;
}

}  // namespace answerd::test
