// load_file() / parse_string(): syntax, then per-section validation, then checks
// across sections (load.h). Also the display names of the config enums.
#include "config/load.h"

#include "config/validate.h"

namespace answerd::config {
namespace detail {

namespace {

bool psk_covered(const Connection& c, const std::vector<Secret>& secrets) {
  const Identity& me = c.local.front().id;
  const Identity& peer = c.remote.front().id;
  for (const auto& s : secrets) {
    if (s.type != Secret::Type::kIke) continue;
    if (s.ids.empty()) return true;
    for (const auto& id : s.ids)
      if (matches(me, id) || matches(id, me) || matches(peer, id) || matches(id, peer)) return true;
  }
  return false;
}

}  // namespace

void cross_check(Ctx& ctx, const Config& cfg) {
  for (const auto& c : cfg.connections) {
    if (c.local.empty() || c.remote.empty()) continue;
    bool psk = c.local.front().auth == AuthMethod::kPsk || c.remote.front().auth == AuthMethod::kPsk;
    if (psk && !psk_covered(c, cfg.secrets))
      ctx.diags.warning(c.loc, "connections." + c.name + ": auth = psk but no secrets.ike<suffix> matches '" +
                                   c.local.front().id.text + "' or '" + c.remote.front().id.text + "'");
  }
  if (cfg.connections.empty())
    ctx.diags.warning({ctx.root_file, 0},
                      "no connections defined: every IKE_SA_INIT will be refused");
}

}  // namespace detail

expected<Config, std::vector<Diagnostic>> validate(const Section& root, const LoadOptions& options,
                                                   Diagnostics diags, const std::string& string_name,
                                                   const std::string& root_file) {
  detail::Ctx ctx{.diags = diags, .opts = options, .string_name = string_name, .root_file = root_file};
  Config cfg;
  for (const auto& s : root.settings) diags.error(s.loc, "unknown top-level key '" + s.key + "'");
  // Authorities first: remote rounds without trust anchors of their own trust them.
  for (const auto& sec : root.sections)
    if (sec.name == "authorities") detail::validate_authorities(ctx, sec, cfg.authorities);
  for (const auto& a : cfg.authorities)
    if (!a.cacert.empty()) ctx.authority_cas.push_back(a.cacert);
  for (const auto& sec : root.sections) {
    if (sec.name == "connections") detail::validate_connections(ctx, sec, cfg.connections);
    else if (sec.name == "secrets") detail::validate_secrets(ctx, sec, cfg.secrets);
    else if (sec.name == "answerd") detail::validate_daemon(ctx, sec, cfg.daemon);
    else if (sec.name == "authorities") continue;
    else if (sec.name == "pools")
      diags.error(sec.loc, "section '" + sec.name + "' is not supported by answerd");
    else
      diags.error(sec.loc, "unknown top-level section '" + sec.name +
                               "' (connections, secrets, authorities, answerd)");
  }
  cfg.crl_files = detail::swanctl_crl_dir(ctx);
  if (!diags.has_errors()) detail::cross_check(ctx, cfg);
  if (diags.has_errors()) return unexpected(diags.take());
  cfg.warnings = diags.take();
  return cfg;
}

expected<Config, std::vector<Diagnostic>> load_file(const std::filesystem::path& path,
                                                    const LoadOptions& options) {
  Diagnostics diags;
  Section root;
  ParseOptions po{.allow_include = options.allow_include, .base_dir = {}, .limits = options.limits};
  if (!parse_settings_file(path, po, root, diags)) return unexpected(diags.take());
  return validate(root, options, std::move(diags), std::string(), path.string());
}

expected<Config, std::vector<Diagnostic>> parse_string(std::string_view text, const std::string& name,
                                                       const LoadOptions& options) {
  Diagnostics diags;
  Section root;
  ParseOptions po{.allow_include = options.allow_include, .base_dir = options.base_dir,
                  .limits = options.limits};
  if (!parse_settings_text(text, name, po, root, diags)) return unexpected(diags.take());
  return validate(root, options, std::move(diags), name, name);
}

bool restricts_remote_addrs(const Connection& c) {
  for (const auto& r : c.remote_addrs) {
    std::size_t n = r.from.family == 4 ? 4 : 16;
    bool whole = true;
    for (std::size_t i = 0; i < n; ++i) whole = whole && r.from.bytes[i] == 0 && r.to.bytes[i] == 0xff;
    if (r.any || whole) return false;
  }
  return true;
}

std::string_view to_string(AuthMethod v) { return v == AuthMethod::kPsk ? "psk" : "pubkey"; }
std::string_view to_string(Unique v) {
  switch (v) {
    case Unique::kNo: return "no";
    case Unique::kNever: return "never";
    case Unique::kKeep: return "keep";
    case Unique::kReplace: return "replace";
  }
  return "?";
}
std::string_view to_string(Fragmentation v) {
  switch (v) {
    case Fragmentation::kYes: return "yes";
    case Fragmentation::kAccept: return "accept";
    case Fragmentation::kForce: return "force";
    case Fragmentation::kNo: return "no";
  }
  return "?";
}
std::string_view to_string(Childless v) {
  switch (v) {
    case Childless::kAllow: return "allow";
    case Childless::kForce: return "force";
    case Childless::kNever: return "never";
  }
  return "?";
}
std::string_view to_string(SendCert v) {
  switch (v) {
    case SendCert::kIfAsked: return "ifasked";
    case SendCert::kAlways: return "always";
    case SendCert::kNever: return "never";
  }
  return "?";
}
std::string_view to_string(Mode v) { return v == Mode::kTunnel ? "tunnel" : "transport"; }
std::string_view to_string(CopyDscp v) {
  switch (v) {
    case CopyDscp::kOut: return "out";
    case CopyDscp::kIn: return "in";
    case CopyDscp::kYes: return "yes";
    case CopyDscp::kNo: return "no";
  }
  return "?";
}
std::string_view to_string(Revocation v) {
  switch (v) {
    case Revocation::kRelaxed: return "relaxed";
    case Revocation::kIfUri: return "ifuri";
    case Revocation::kStrict: return "strict";
  }
  return "?";
}
std::string_view to_string(Dataplane v) { return v == Dataplane::kXfrm ? "xfrm" : "none"; }
std::string_view to_string(XdpMode v) { return v == XdpMode::kNative ? "native" : "generic"; }
std::string_view to_string(LogLevel v) {
  switch (v) {
    case LogLevel::kSilent: return "silent";
    case LogLevel::kError: return "error";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kInfo: return "info";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kTrace: return "trace";
  }
  return "?";
}

}  // namespace answerd::config
