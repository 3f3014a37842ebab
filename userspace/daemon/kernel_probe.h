// Whether dataplane = xfrm can work on this kernel, checked at startup so that a
// kernel without ESP (CONFIG_INET_ESP), without the XFRM netlink interface, without
// the crypto for an ESP SA, or a daemon without CAP_NET_ADMIN fails with a sentence
// saying which, instead of failing obscurely at the first IKE_AUTH. The probe itself
// is the xfrm backend's (kernel/xfrm/xfrm_probe.h: throwaway ESP SAs between
// TEST-NET-1 addresses, deleted at once); the daemon owns only the netlink socket it
// runs on and the startup sentence.
#pragma once

#include "kernel/ipsec.h"
#include "util/expected.h"

#include <string>

namespace answerd::daemon {

// Ok when an ESP SA can be installed; otherwise the reason, for the log and for
// the startup error (it names the fix: a kernel with ESP, or dataplane = none).
[[nodiscard]] expected<void, std::string> probe_xfrm_esp();

// The startup sentence for a failed probe: the backend's reason, and the way out
// (dataplane = none) when the reason does not already say it.
[[nodiscard]] std::string probe_failure_message(const kernel::IpsecError& e);

}  // namespace answerd::daemon
