// Error type of the XDP loader and map access (answerd_xdp): what failed, in words
// an operator can act on ("bpffs not mounted at ...", "permission denied ...",
// "map ... not pinned ..."), plus the errno behind it. Everything fallible returns
// Result<T>; nothing here throws.
#pragma once

#include "util/expected.h"

#include <string>

namespace answerd::kernel::xdp {

struct Error {
  int code = 0;  // errno (positive), 0 when none applies
  std::string message;
};

template <class T>
using Result = answerd::expected<T, Error>;

// "what: strerror(err)" with a hint for EPERM/EACCES (needs root or CAP_BPF).
[[nodiscard]] Error errno_error(int err, const std::string& what);

[[nodiscard]] inline answerd::unexpected<Error> fail(int err, const std::string& what) {
  return answerd::unexpected<Error>(errno_error(err, what));
}

}  // namespace answerd::kernel::xdp
