// Loading, attaching and detaching the XDP filter; see xdp_program.h.
#include "kernel/xdp/xdp_program.h"

#include "kernel/xdp/bpffs.h"

#include <answer_xdp.skel.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace answerd::kernel::xdp {
namespace {

Result<std::uint32_t> ifindex_of(std::string_view ifname) {
  std::string name(ifname);
  unsigned idx = ::if_nametoindex(name.c_str());
  if (idx == 0) return fail(errno, "interface " + name);
  return static_cast<std::uint32_t>(idx);
}

Result<bpf_link_info> link_info(int fd, const std::string& what) {
  bpf_link_info info{};
  std::uint32_t len = sizeof info;
  if (::bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return fail(errno, "link info " + what);
  if (info.type != BPF_LINK_TYPE_XDP)
    return answerd::unexpected<Error>(
        Error{.code = EINVAL, .message = what + " is not an XDP link"});
  return info;
}

// Opens the pinned link of `ifname`; an invalid fd when there is none.
Result<UniqueFd> open_pinned_link(const std::string& bpffs, std::string_view ifname) {
  std::string path = link_path(bpffs, ifname);
  int fd = ::bpf_obj_get(path.c_str());
  if (fd < 0) {
    if (errno == ENOENT) return UniqueFd();
    return fail(errno, "open pinned link " + path);
  }
  return UniqueFd(fd);
}

Result<void> detach_link(int fd, const std::string& bpffs, std::string_view ifname) {
  // Force-detach from the device even if another process holds the link open.
  if (::bpf_link_detach(fd) != 0 && errno != EINVAL /* already detached */)
    return fail(errno, "detach XDP link from " + std::string(ifname));
  std::string path = link_path(bpffs, ifname);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail(errno, "unpin " + path);
  return {};
}

Result<std::array<UniqueFd, XdpMaps::kMapCount>> dup_map_fds(answer_xdp* skel) {
  std::array<UniqueFd, XdpMaps::kMapCount> fds;
  for (int m = 0; m < XdpMaps::kMapCount; ++m) {
    bpf_map* map = ::bpf_object__find_map_by_name(skel->obj, XdpMaps::kMapNames[m]);
    int fd = map ? ::fcntl(::bpf_map__fd(map), F_DUPFD_CLOEXEC, 0) : -1;
    if (fd < 0)
      return fail(map ? errno : ENOENT, std::string("map ") + XdpMaps::kMapNames[m]);
    fds[m].reset(fd);
  }
  return fds;
}

}  // namespace

Result<XdpProgram> XdpProgram::load(const LoadOptions& opts) {
  if (auto ok = opts.mount_bpffs ? ensure_bpffs(opts.bpffs) : check_bpffs(opts.bpffs); !ok) return answerd::unexpected<Error>(ok.error());
  const std::string pins = pin_dir(opts.bpffs);
  if (auto ok = make_dirs(pins); !ok) return answerd::unexpected<Error>(ok.error());

  bpf_object_open_opts open_opts{};  // LIBBPF_OPTS is a GNU C statement expression
  open_opts.sz = sizeof open_opts;
  open_opts.pin_root_path = pins.c_str();
  answer_xdp* skel = answer_xdp__open_opts(&open_opts);
  if (!skel) return fail(errno, "open XDP object");
  if (int err = answer_xdp__load(skel); err != 0) {
    answer_xdp__destroy(skel);
    return fail(-err, "load XDP program (maps pinned under " + pins + ")");
  }
  auto fds = dup_map_fds(skel);
  if (!fds) {
    answer_xdp__destroy(skel);
    return answerd::unexpected<Error>(fds.error());
  }
  auto maps = XdpMaps::adopt(std::move(*fds));
  if (!maps) {
    answer_xdp__destroy(skel);
    return answerd::unexpected<Error>(maps.error());
  }
  XdpProgram prog(skel, std::move(*maps), opts.bpffs);
  auto cfg = prog.maps_.config();
  if (!cfg) return answerd::unexpected<Error>(cfg.error());
  if (cfg->ike_port == 0 && cfg->natt_port == 0 && cfg->init_burst == 0) {  // never written
    if (auto ok = prog.maps_.set_config(default_config()); !ok)
      return answerd::unexpected<Error>(ok.error());
  }
  return prog;
}

XdpProgram::XdpProgram(answer_xdp* skel, XdpMaps maps, std::string bpffs)
    : skel_(skel), maps_(std::move(maps)), bpffs_(std::move(bpffs)) {}

XdpProgram::XdpProgram(XdpProgram&& o) noexcept
    : skel_(std::exchange(o.skel_, nullptr)),
      maps_(std::move(o.maps_)),
      bpffs_(std::move(o.bpffs_)),
      links_(std::move(o.links_)) {}

XdpProgram& XdpProgram::operator=(XdpProgram&& o) noexcept {
  if (this != &o) {
    destroy();
    skel_ = std::exchange(o.skel_, nullptr);
    maps_ = std::move(o.maps_);
    bpffs_ = std::move(o.bpffs_);
    links_ = std::move(o.links_);
  }
  return *this;
}

XdpProgram::~XdpProgram() { destroy(); }

void XdpProgram::destroy() {
  links_.clear();  // closes our fds; the pinned links stay attached
  if (skel_) answer_xdp__destroy(skel_);
  skel_ = nullptr;
}

int XdpProgram::prog_fd() const { return ::bpf_program__fd(skel_->progs.answer_xdp); }

std::vector<std::string> XdpProgram::interfaces() const {
  std::vector<std::string> out;
  for (const auto& [name, fd] : links_) out.push_back(name);
  return out;
}

Result<void> XdpProgram::attach(std::string_view ifname, AttachMode mode) {
  const std::string name(ifname);
  auto ifindex = ifindex_of(ifname);
  if (!ifindex) return answerd::unexpected<Error>(ifindex.error());
  if (auto ok = make_dirs(link_dir(bpffs_)); !ok) return answerd::unexpected<Error>(ok.error());

  auto pinned = open_pinned_link(bpffs_, ifname);
  if (!pinned) return answerd::unexpected<Error>(pinned.error());
  if (pinned->valid()) {  // re-adopt: swap our program into the existing link
    auto info = link_info(pinned->get(), "pinned link of " + name);
    if (!info) return answerd::unexpected<Error>(info.error());
    if (info->xdp.ifindex == *ifindex) {
      if (::bpf_link_update(pinned->get(), prog_fd(), nullptr) != 0)
        return fail(errno, "update XDP link on " + name);
      links_[name] = std::move(*pinned);
      return {};
    }
    // Stale pin (the interface was recreated with another index): replace it.
    if (auto ok = detach_link(pinned->get(), bpffs_, ifname); !ok) return ok;
  }

  bpf_link_create_opts lopts{};
  lopts.sz = sizeof lopts;
  lopts.flags = mode == AttachMode::kNative ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
  int fd = ::bpf_link_create(prog_fd(), static_cast<int>(*ifindex), BPF_XDP, &lopts);
  if (fd < 0) {
    int err = errno;
    if (err == EBUSY || err == EEXIST)
      return answerd::unexpected<Error>(Error{
          .code = err, .message = "another XDP program is already attached to " + name});
    if (err == EOPNOTSUPP || err == EINVAL)
      return fail(err, "attach XDP in " +
                           std::string(mode == AttachMode::kNative ? "native" : "generic") +
                           " mode to " + name + " (try mode generic)");
    return fail(err, "attach XDP to " + name);
  }
  UniqueFd link(fd);
  std::string path = link_path(bpffs_, ifname);
  if (::bpf_obj_pin(link.get(), path.c_str()) != 0) return fail(errno, "pin link " + path);
  links_[name] = std::move(link);
  return {};
}

Result<void> XdpProgram::detach(std::string_view ifname) {
  auto it = links_.find(ifname);
  if (it == links_.end()) return detach_pinned(bpffs_, ifname);
  auto ok = detach_link(it->second.get(), bpffs_, ifname);
  links_.erase(it);
  return ok;
}

Result<void> XdpProgram::detach_pinned(const std::string& bpffs, std::string_view ifname) {
  auto pinned = open_pinned_link(bpffs, ifname);
  if (!pinned) return answerd::unexpected<Error>(pinned.error());
  if (!pinned->valid())
    return answerd::unexpected<Error>(
        Error{.code = ENOENT, .message = "no answerd XDP link on " + std::string(ifname) +
                                             " (nothing pinned at " +
                                             link_path(bpffs, ifname) + ")"});
  return detach_link(pinned->get(), bpffs, ifname);
}

Result<std::vector<LinkStatus>> XdpProgram::status(const std::string& bpffs) {
  if (auto ok = check_bpffs(bpffs); !ok) return answerd::unexpected<Error>(ok.error());
  std::vector<LinkStatus> out;
  const std::string dir = link_dir(bpffs);
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return out;
    return fail(errno, "open " + dir);
  }
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    auto fd = open_pinned_link(bpffs, name);
    if (!fd || !fd->valid()) continue;
    auto info = link_info(fd->get(), name);
    if (!info) continue;
    out.push_back(LinkStatus{.ifname = name,
                             .ifindex = info->xdp.ifindex,
                             .link_id = info->id,
                             .prog_id = info->prog_id});
  }
  ::closedir(d);
  return out;
}

}  // namespace answerd::kernel::xdp
