// BPF test environment; see bpf_env.h.
#include "bpf_env.h"

#include <bpf/bpf.h>
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

PrivateBpffs::PrivateBpffs() {
  char tmpl[] = "/tmp/answerd-bpffs.XXXXXX";
  if (!::mkdtemp(tmpl)) {
    error_ = std::string("mkdtemp: ") + std::strerror(errno);
    return;
  }
  root_ = tmpl;
  if (::mount("bpf", root_.c_str(), "bpf", 0, "mode=0700") != 0) {
    error_ = "mount -t bpf " + root_ + ": " + std::strerror(errno);
    return;
  }
  mounted_ = true;
}

PrivateBpffs::~PrivateBpffs() {
  if (mounted_) ::umount2(root_.c_str(), MNT_DETACH);
  if (!root_.empty()) ::rmdir(root_.c_str());
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
