// The strongswan.conf / swanctl.conf settings syntax: a tree of named sections and
// key = value settings, each remembering the file and line it was written on.
// This module owns only the syntax (lexing, quoting, include, merging); what the keys
// mean is validated elsewhere (config/load.cpp and friends).
//
// Supported syntax (follows strongSwan's settings parser, see docs/configuration.md):
//   name { ... }         section; may be nested; same-named sections are merged
//   key = value          value runs to the end of the line, '#' or an unquoted '}';
//                        whitespace between words collapses to one space
//   key = "a \"b\"\n"    quoted parts: escapes \" \\ \n \r \t, a backslash before a
//                        line break joins lines, a quoted value may span lines
//   # comment            to the end of the line (not inside quotes)
//   include PATTERN      glob relative to the including file, sorted; loops and
//                        nesting deeper than ParseLimits::max_include_depth are errors
// Not supported: section references ("name : other { }") are reported as errors.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.h"

namespace answerd::config {

struct Setting {
  std::string key{};
  std::string value{};
  SourceLoc loc{};
};

struct Section {
  std::string name{};
  SourceLoc loc{};
  std::vector<Setting> settings{};  // in order of first definition
  std::vector<Section> sections{};  // in order of first definition

  [[nodiscard]] const Setting* find_setting(std::string_view key) const;
  [[nodiscard]] const Section* find_section(std::string_view name) const;
};

// Bounds that keep hostile input from exhausting memory or the stack.
struct ParseLimits {
  std::size_t max_file_bytes = 4u << 20;
  std::size_t max_value_bytes = 64u << 10;
  std::size_t max_name_bytes = 256;
  int max_depth = 32;           // section nesting
  int max_include_depth = 10;   // include nesting
  std::size_t max_files = 256;  // files read in total, root included
  std::size_t max_entries = 100000;
};

struct ParseOptions {
  bool allow_include = true;
  std::filesystem::path base_dir{};  // for includes of parse_settings_text; empty: cwd
  ParseLimits limits{};
};

// Parses `text` (diagnostics name it `name`) into `root`. Returns false after a syntax
// error, which is reported in `diags`; parsing stops at the first syntax error.
[[nodiscard]] bool parse_settings_text(std::string_view text, const std::string& name,
                                       const ParseOptions& options, Section& root,
                                       Diagnostics& diags);

// Reads and parses the file at `path`; includes resolve relative to its directory.
[[nodiscard]] bool parse_settings_file(const std::filesystem::path& path,
                                       const ParseOptions& options, Section& root,
                                       Diagnostics& diags);

}  // namespace answerd::config
