// libFuzzer harness: arbitrary bytes through the whole loader (syntax, validation,
// proposals, identities, selectors) with no filesystem access (no includes, no file
// checks), then the summary and PSK lookup on what loaded. Any crash, sanitizer
// report, leak or hang is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/describe.h"
#include "config/load.h"
#include "config/secret_lookup.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  answerd::config::LoadOptions o;
  o.allow_include = false;
  o.check_files = false;
  auto r = answerd::config::parse_string(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.conf", o);
  if (r) {
    (void)answerd::config::describe(*r);
    for (const auto& c : r->connections) {
      (void)answerd::config::to_keyword(c.proposals);
      (void)answerd::config::restricts_remote_addrs(c);
      if (!c.local.empty() && !c.remote.empty())
        (void)answerd::config::find_ike_secret(r->secrets, c.local[0].id, c.remote[0].id);
    }
  } else {
    for (const auto& d : r.error()) (void)answerd::config::to_string(d);
  }
  return 0;
}
