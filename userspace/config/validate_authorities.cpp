// authorities { NAME { cacert, file, crl_uris } } and the x509crl/ directory, with
// strongSwan's meaning (swanctl.conf(5)): a CA every remote pubkey round without
// trust anchors of its own trusts, and where its CRLs are. answerd fetches nothing:
// crl_uris are local files (file:///abs/path or a path relative to the config's
// directory) an operator refreshes (cron, systemd timer) before `answerctl daemon
// reload`. Keys for smartcards, OCSP and hash-and-URL are errors saying so.
#include <algorithm>

#include "config/validate.h"
#include "config/values.h"

namespace answerd::config::detail {
namespace fs = std::filesystem;
namespace {

constexpr std::pair<std::string_view, std::string_view> kUnsupportedAuthorityKeys[] = {
    {"ocsp_uris", "OCSP is not supported (answerd checks CRL files: crl_uris)"},
    {"cert_uri_base", "hash-and-URL certificate lookup is not supported"},
    {"handle", "smartcard CA certificates are not supported (use cacert)"},
    {"slot", "smartcard CA certificates are not supported (use cacert)"},
    {"module", "smartcard CA certificates are not supported (use cacert)"},
};

// One crl_uris entry as a local file name, or the reason it cannot be one.
expected<fs::path, std::string> crl_path(Ctx& ctx, const Setting& s, std::string_view uri) {
  if (uri.starts_with("file://")) {
    fs::path p(uri.substr(7));
    if (!p.is_absolute()) return unexpected("'" + std::string(uri) + "': a file URI needs an absolute path (file:///path)");
    return p;
  }
  for (std::string_view scheme : {"http://", "https://", "ldap://", "ldaps://"})
    if (uri.starts_with(scheme))
      return unexpected("'" + std::string(uri) +
                        "': answerd does not fetch CRLs; fetch the CRL into a file (cron or a systemd timer), "
                        "name that file here and run `answerctl daemon reload` after each refresh");
  if (uri.find("://") != std::string_view::npos)
    return unexpected("'" + std::string(uri) + "': unknown URI scheme (file:///path or a file name)");
  fs::path p(uri);
  return p.is_absolute() ? p : ctx.dir_of(s.loc) / p;
}

Authority validate_authority(Ctx& ctx, const Section& sec, const std::string& path) {
  Authority a{.name = sec.name, .loc = sec.loc};
  bool have_ca = false;
  const KeyRule rules[] = {
      {"cacert", [&](const Setting& s) -> Result {
         have_ca = true;
         if (auto p = ctx.resolve(s, s.value, "x509ca", path + ".cacert")) a.cacert = *p;
         return {};
       }},
      {"file", [&](const Setting& s) -> Result {  // strongSwan: an absolute cacert
         have_ca = true;
         if (!fs::path(s.value).is_absolute()) return unexpected(std::string("needs an absolute path"));
         if (auto p = ctx.resolve(s, s.value, "x509ca", path + ".file")) a.cacert = *p;
         return {};
       }},
      {"crl_uris", [&](const Setting& s) -> Result {
         a.crl_loc = s.loc;
         for (const auto& uri : split_list(s.value)) {
           auto p = crl_path(ctx, s, uri);
           if (!p) return unexpected(p.error());
           std::error_code ec;
           if (ctx.opts.check_files && !fs::is_regular_file(*p, ec))
             ctx.diags.warning(s.loc, path + ".crl_uris: CRL file " + p->string() +
                                          " not found: remote rounds with revocation = ifuri or strict refuse "
                                          "certificates of this CA until it exists and answerd reloads");
           a.crl_files.push_back(std::move(*p));
         }
         return {};
       }},
  };
  apply_rules(ctx, sec, path, rules, [&](const Setting& s) {
    for (const auto& [key, why] : kUnsupportedAuthorityKeys)
      if (s.key == key) {
        ctx.diags.error(s.loc, path + "." + s.key + ": " + std::string(why));
        return true;
      }
    return false;
  });
  check_sections(ctx, sec, path, [](const std::string&) { return false; });
  if (!have_ca) ctx.diags.error(sec.loc, path + ": missing cacert (the CA certificate file)");
  return a;
}

}  // namespace

void validate_authorities(Ctx& ctx, const Section& sec, std::vector<Authority>& out) {
  for (const auto& s : sec.settings)
    ctx.diags.error(s.loc, "unexpected key '" + s.key + "' in authorities (authorities are sections)");
  for (const auto& sub : sec.sections) out.push_back(validate_authority(ctx, sub, "authorities." + sub.name));
}

std::vector<fs::path> swanctl_crl_dir(Ctx& ctx) {
  std::vector<fs::path> out;
  if (!ctx.opts.check_files) return out;
  std::error_code ec;
  const fs::path dir = ctx.dir_of(SourceLoc{.file = ctx.root_file, .line = 0});
  if (dir.empty()) return out;
  for (const auto& e : fs::directory_iterator(dir / "x509crl", ec))
    if (e.is_regular_file(ec)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace answerd::config::detail
