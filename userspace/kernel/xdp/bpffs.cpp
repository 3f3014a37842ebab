// bpffs paths and checks; see bpffs.h.
#include "kernel/xdp/bpffs.h"

#include "bpf/answer_xdp_shared.h"

#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <cerrno>
#include <cstring>

namespace answerd::kernel::xdp {

Error errno_error(int err, const std::string& what) {
  std::string msg = what + ": " + std::strerror(err);
  if (err == EPERM || err == EACCES) msg += " (needs root, or CAP_BPF and CAP_NET_ADMIN)";
  return Error{.code = err, .message = std::move(msg)};
}

std::string pin_dir(std::string_view root) {
  std::string r(root);
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  return r + "/v" + std::to_string(ANSWER_XDP_LAYOUT_VERSION);
}

std::string link_dir(std::string_view root) { return pin_dir(root) + "/links"; }

std::string map_path(std::string_view root, std::string_view map) {
  return pin_dir(root) + "/" + std::string(map);
}

std::string link_path(std::string_view root, std::string_view ifname) {
  return link_dir(root) + "/" + std::string(ifname);
}

Result<void> check_bpffs(const std::string& path) {
  std::string p = path;
  struct statfs st {};
  while (::statfs(p.c_str(), &st) != 0) {
    if (errno != ENOENT) return fail(errno, "statfs " + p);
    auto slash = p.find_last_of('/');
    if (slash == std::string::npos || p == "/") return fail(ENOENT, "statfs " + path);
    p = slash == 0 ? "/" : p.substr(0, slash);
  }
  if (static_cast<unsigned long>(st.f_type) != BPF_FS_MAGIC)
    return answerd::unexpected<Error>(Error{
        .code = ENODEV,
        .message = "bpffs not mounted at " + p + " (for " + path +
                   "): mount -t bpf bpf /sys/fs/bpf, or set answerd.bpffs"});
  return {};
}

Result<void> ensure_bpffs(const std::string& path) {
  static constexpr std::string_view kDefault = "/sys/fs/bpf";
  const bool under_default =
      path.starts_with(kDefault) && (path.size() == kDefault.size() || path[kDefault.size()] == '/');
  if (under_default) {
    struct statfs st {};
    if (::statfs(std::string(kDefault).c_str(), &st) == 0 &&
        static_cast<unsigned long>(st.f_type) != BPF_FS_MAGIC &&
        ::mount("bpf", std::string(kDefault).c_str(), "bpf", 0, "mode=0700") != 0)
      return fail(errno, "mount -t bpf bpf " + std::string(kDefault));
  }
  return check_bpffs(path);
}

Result<void> make_dirs(const std::string& path) {
  for (std::size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    std::string part = path.substr(0, pos);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) return fail(errno, "mkdir " + part);
  }
  return {};
}

}  // namespace answerd::kernel::xdp
