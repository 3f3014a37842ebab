// bpffs layout of answerd's XDP state and checks on it. Maps live in
// <root>/v<ANSWER_XDP_LAYOUT_VERSION>/<map>, links in <root>/v<N>/links/<ifname>;
// <root> defaults to /sys/fs/bpf/answerd (config key answerd.bpffs).
#pragma once

#include "kernel/xdp/xdp_error.h"

#include <string>
#include <string_view>

namespace answerd::kernel::xdp {

// <root>/v<N>
[[nodiscard]] std::string pin_dir(std::string_view root);
// <root>/v<N>/links
[[nodiscard]] std::string link_dir(std::string_view root);
[[nodiscard]] std::string map_path(std::string_view root, std::string_view map);
[[nodiscard]] std::string link_path(std::string_view root, std::string_view ifname);

// Fails with a clear message unless `path` (or its nearest existing ancestor) is
// on a mounted bpf filesystem.
[[nodiscard]] Result<void> check_bpffs(const std::string& path);
// Like bpftool and xdp-loader: when `path` lies under /sys/fs/bpf and nothing is
// mounted there, mounts a bpffs on /sys/fs/bpf (mode 0700). Then check_bpffs().
[[nodiscard]] Result<void> ensure_bpffs(const std::string& path);
// mkdir -p on bpffs (mode 0700).
[[nodiscard]] Result<void> make_dirs(const std::string& path);

}  // namespace answerd::kernel::xdp
