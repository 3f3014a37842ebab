// The startup ESP probe (see kernel_probe.h) in a build without the xfrm backend
// (area "xfrm" not selected): dataplane = xfrm cannot work, and says why.
#include "daemon/kernel_probe.h"

namespace answerd::daemon {

std::string probe_failure_message(const kernel::IpsecError& e) { return e.message; }

expected<void, std::string> probe_xfrm_esp() {
  return unexpected(std::string("this answerd was built without the XFRM backend; use dataplane = none"));
}

}  // namespace answerd::daemon
