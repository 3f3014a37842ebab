// Helpers for the config tests: parse a text and get its diagnostics as strings.
#pragma once

#include <string>
#include <vector>

#include "config/load.h"
#include "config/settings.h"

namespace answerd::config::test {

inline std::vector<std::string> strings(const std::vector<Diagnostic>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(to_string(d));
  return out;
}

inline LoadOptions no_files() {
  LoadOptions o;
  o.check_files = false;
  o.allow_include = false;
  return o;
}

// Diagnostics of parse_string(text, "t.conf") (errors and warnings), empty if none.
inline std::vector<std::string> problems(const std::string& text, const LoadOptions& o = no_files()) {
  auto r = parse_string(text, "t.conf", o);
  return strings(r ? r->warnings : r.error());
}

// Errors of the settings syntax alone.
inline std::vector<std::string> syntax_errors(const std::string& text, Section* out = nullptr) {
  Diagnostics d;
  Section root;
  ParseOptions o;
  o.allow_include = false;
  (void)parse_settings_text(text, "t.conf", o, root, d);
  if (out != nullptr) *out = root;
  return strings(d.all());
}

}  // namespace answerd::config::test
