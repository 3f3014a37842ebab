// Capability dropping with libcap (see privileges.h).
#include "daemon/privileges.h"

#include <fmt/format.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace answerd::daemon {
namespace {

struct CapFree {
  void operator()(void* p) const { cap_free(p); }
};
using CapPtr = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

std::string err(const char* what) { return fmt::format("{}: {}", what, std::strerror(errno)); }

}  // namespace

std::vector<int> capabilities_to_keep(CapabilityNeeds needs) {
  std::vector<int> keep;
  if (needs.xfrm || needs.xdp) keep.push_back(CAP_NET_ADMIN);
  if (needs.xdp) keep.push_back(CAP_BPF);
  return keep;
}

expected<std::string, std::string> drop_capabilities(const std::vector<int>& keep) {
  CapPtr now(cap_get_proc());
  if (!now) return unexpected(err("cap_get_proc"));
  cap_flag_value_t setpcap = CAP_CLEAR;
  cap_get_flag(now.get(), CAP_SETPCAP, CAP_EFFECTIVE, &setpcap);
  auto kept = [&](int c) { return std::find(keep.begin(), keep.end(), c) != keep.end(); };
  // The bounding set first: dropping from it needs CAP_SETPCAP, which goes next.
  if (setpcap == CAP_SET) {
    for (int c = 0; c <= static_cast<int>(cap_max_bits()) - 1; ++c) {
      if (kept(c) || !CAP_IS_SUPPORTED(c)) continue;
      if (cap_drop_bound(static_cast<cap_value_t>(c)) != 0 && errno != EINVAL)
        return unexpected(err("cap_drop_bound"));
    }
  }
  CapPtr next(cap_init());
  if (!next) return unexpected(err("cap_init"));
  for (int c : keep) {
    cap_flag_value_t permitted = CAP_CLEAR;
    if (cap_get_flag(now.get(), static_cast<cap_value_t>(c), CAP_PERMITTED, &permitted) != 0 ||
        permitted != CAP_SET)
      continue;
    cap_value_t v = static_cast<cap_value_t>(c);
    cap_set_flag(next.get(), CAP_PERMITTED, 1, &v, CAP_SET);
    cap_set_flag(next.get(), CAP_EFFECTIVE, 1, &v, CAP_SET);
  }
  if (cap_reset_ambient() != 0 && errno != EINVAL) return unexpected(err("cap_reset_ambient"));
  if (cap_set_proc(next.get()) != 0) return unexpected(err("cap_set_proc"));
  CapPtr after(cap_get_proc());
  if (!after) return unexpected(err("cap_get_proc"));
  char* text = cap_to_text(after.get(), nullptr);
  if (text == nullptr) return unexpected(err("cap_to_text"));
  std::string out(text);
  cap_free(text);
  return out;
}

}  // namespace answerd::daemon
