// Key dispatch, value setters and file resolution shared by the validators (validate.h).
#include <system_error>

#include "config/validate.h"
#include "config/values.h"

namespace answerd::config::detail {
namespace fs = std::filesystem;

fs::path Ctx::dir_of(const SourceLoc& at) const {
  if (at.file == string_name) {
    std::error_code ec;
    return opts.base_dir.empty() ? fs::current_path(ec) : opts.base_dir;
  }
  return fs::path(at.file).parent_path();
}

std::optional<fs::path> Ctx::resolve(const Setting& s, std::string_view value,
                                     std::string_view subdir, const std::string& path) {
  if (value.empty()) {
    diags.error(s.loc, path + ": empty file name");
    return std::nullopt;
  }
  fs::path p(value);
  if (p.is_absolute()) {
    if (!opts.check_files) return p;
  } else {
    fs::path dir = dir_of(s.loc);
    p = dir / value;
    if (!opts.check_files) return p;
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      fs::path alt = dir / subdir / value;
      if (fs::exists(alt, ec)) p = alt;
    }
  }
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) {
    diags.error(s.loc, path + ": file '" + std::string(value) + "' not found (looked for " +
                           p.string() + (fs::path(value).is_relative()
                                             ? " and in " + std::string(subdir) + "/"
                                             : std::string()) +
                           ")");
    return std::nullopt;
  }
  return p;
}

void apply_rules(Ctx& ctx, const Section& sec, const std::string& path,
                 std::span<const KeyRule> rules,
                 const std::function<bool(const Setting&)>& unknown) {
  for (const auto& s : sec.settings) {
    const KeyRule* rule = nullptr;
    for (const auto& r : rules)
      if (r.key == s.key) rule = &r;
    if (rule == nullptr) {
      if (unknown && unknown(s)) continue;
      ctx.diags.error(s.loc, "unknown key '" + s.key + "' in " + path);
      continue;
    }
    auto r = rule->apply(s);
    if (!r) ctx.diags.error(s.loc, path + "." + s.key + ": " + r.error());
  }
}

void check_sections(Ctx& ctx, const Section& sec, const std::string& path,
                    const std::function<bool(const std::string&)>& known) {
  for (const auto& sub : sec.sections)
    if (!known(sub.name)) ctx.diags.error(sub.loc, "unknown section '" + sub.name + "' in " + path);
}

Result set_bool(bool& out, std::string_view v) {
  auto b = parse_bool(v);
  if (!b) return unexpected(b.error());
  out = *b;
  return {};
}

Result set_seconds(Seconds& out, std::string_view v) {
  auto d = parse_duration(v);
  if (!d) return unexpected(d.error());
  out = *d;
  return {};
}

Result set_u32(std::uint32_t& out, std::string_view v, std::uint32_t max) {
  auto n = parse_uint(v, max);
  if (!n) return unexpected(n.error());
  out = static_cast<std::uint32_t>(*n);
  return {};
}

Result set_if_id(std::optional<IfId>& out, std::string_view v) {
  if (v == "%unique") {
    out = IfId{.unique = true, .value = 0};
    return {};
  }
  auto n = parse_uint(v, 0xffffffffu);
  if (!n) return unexpected(n.error() + " (expected a number or %unique)");
  if (*n == 0) {
    out.reset();  // strongSwan: 0 means no interface ID
  } else {
    out = IfId{.unique = false, .value = static_cast<std::uint32_t>(*n)};
  }
  return {};
}

}  // namespace answerd::config::detail
