// XdpProgram: owns the loaded XDP filter (the libbpf skeleton of
// bpf/answer_xdp.bpf.c), its maps and its links to interfaces.
//
// Pinning policy:
//  - Maps are pinned by name under <bpffs>/v<N>/. load() reuses maps already
//    pinned there (same layout version), so counters, the allowlist and the config
//    survive a daemon restart; a new layout gets a new v<N> folder.
//  - Each attachment is a bpf_link pinned at <bpffs>/v<N>/links/<ifname>. The link
//    outlives the daemon process on purpose: the filter keeps dropping and counting
//    while the daemon restarts. attach() on an interface with a pinned link re-adopts
//    it and atomically swaps in the newly loaded program (bpf_link_update), so there
//    is no unfiltered gap. Only detach() (daemon shutdown policy or
//    `answerctl xdp detach`) removes the link and its pin. A re-adopted link keeps
//    the mode it was created with; detach first to change native/generic.
#pragma once

#include "util/unique_fd.h"
#include "kernel/xdp/xdp_error.h"
#include "kernel/xdp/xdp_maps.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct answer_xdp;  // the generated skeleton

namespace answerd::kernel::xdp {

enum class AttachMode {
  kNative,   // driver mode (XDP_FLAGS_DRV_MODE); fails if the driver lacks XDP
  kGeneric,  // skb mode (XDP_FLAGS_SKB_MODE); any device, slower
};

struct LoadOptions {
  std::string bpffs = ANSWER_XDP_DEFAULT_BPFFS;
  // Mount bpffs on /sys/fs/bpf when `bpffs` is below it and nothing is mounted there.
  bool mount_bpffs = true;
};

// One attachment as seen in bpffs (pinned link).
struct LinkStatus {
  std::string ifname;
  std::uint32_t ifindex = 0;
  std::uint32_t link_id = 0;
  std::uint32_t prog_id = 0;
};

class XdpProgram {
 public:
  // Opens and loads the program, reusing or creating the pinned maps. A config
  // entry that was never written is initialised with default_config().
  [[nodiscard]] static Result<XdpProgram> load(const LoadOptions& opts = {});

  XdpProgram(XdpProgram&&) noexcept;
  XdpProgram& operator=(XdpProgram&&) noexcept;
  XdpProgram(const XdpProgram&) = delete;
  XdpProgram& operator=(const XdpProgram&) = delete;
  // Releases the program and link fds; pinned links stay attached (see above).
  ~XdpProgram();

  // Attaches to `ifname`, or re-adopts its pinned link and swaps the program in.
  [[nodiscard]] Result<void> attach(std::string_view ifname, AttachMode mode);
  // Detaches from `ifname` and removes the pinned link.
  [[nodiscard]] Result<void> detach(std::string_view ifname);

  [[nodiscard]] XdpMaps& maps() { return maps_; }
  [[nodiscard]] const XdpMaps& maps() const { return maps_; }
  [[nodiscard]] int prog_fd() const;
  [[nodiscard]] const std::string& bpffs() const { return bpffs_; }
  // Interfaces this object holds links for.
  [[nodiscard]] std::vector<std::string> interfaces() const;

  // Without a loaded program (answerctl): the pinned links under <bpffs>.
  [[nodiscard]] static Result<std::vector<LinkStatus>> status(const std::string& bpffs);
  [[nodiscard]] static Result<void> detach_pinned(const std::string& bpffs,
                                                  std::string_view ifname);

 private:
  XdpProgram(answer_xdp* skel, XdpMaps maps, std::string bpffs);
  void destroy();

  answer_xdp* skel_ = nullptr;
  XdpMaps maps_;
  std::string bpffs_;
  std::map<std::string, UniqueFd, std::less<>> links_;
};

}  // namespace answerd::kernel::xdp
