// libFuzzer harness: arbitrary bytes through the whole loader (syntax, validation,
// proposals, identities, selectors) with no filesystem access (no includes, no file
// checks). Any crash, sanitizer report, leak or hang is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/load.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  answerd::config::LoadOptions o;
  o.allow_include = false;
  o.check_files = false;
  auto r = answerd::config::parse_string(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.conf", o);
  if (r) {
    for (const auto& c : r->connections) {
      (void)answerd::config::to_keyword(c.proposals);
      (void)c.hard_lifetime();
    }
  } else {
    for (const auto& d : r.error()) (void)answerd::config::to_string(d);
  }
  return 0;
}
