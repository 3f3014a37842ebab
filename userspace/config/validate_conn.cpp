// connections.<conn> and its local<suffix>/remote<suffix> authentication rounds.
// Keys have strongSwan's meaning (swanctl.conf(5)); initiator-only keys are accepted
// with a warning, features answerd lacks (EAP, pools, IKEv1) are errors saying so.
#include <algorithm>

#include "config/validate.h"
#include "config/values.h"

namespace answerd::config::detail {
namespace {

Result set_files(Ctx& ctx, const Setting& s, std::vector<std::filesystem::path>& out,
                 std::string_view subdir, const std::string& path) {
  for (const auto& f : split_list(s.value)) {
    auto p = ctx.resolve(s, f, subdir, path + "." + s.key);
    if (p) out.push_back(*p);
  }
  return {};
}

constexpr std::pair<std::string_view, std::string_view> kUnsupportedAuthKeys[] = {
    {"eap_id", "EAP is not supported"}, {"aaa_id", "EAP is not supported"},
    {"xauth_id", "XAuth (IKEv1) is not supported"},
    {"groups", "group membership checks are not supported"},
    {"cert_policy", "certificate policy checks are not supported"},
    {"ca_id", "ca_id is not supported"},
};

// swanctl trusts every CA certificate in its x509ca/ directory: a remote round
// without explicit trust anchors uses the x509ca/ next to the file that defines it
// (and every authorities.<name>.cacert, added by validate_round).
std::vector<std::filesystem::path> swanctl_ca_dir(Ctx& ctx, const SourceLoc& at) {
  std::vector<std::filesystem::path> out;
  if (!ctx.opts.check_files) return out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(ctx.dir_of(at) / "x509ca", ec))
    if (e.is_regular_file(ec)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

AuthRound validate_round(Ctx& ctx, const Section& sec, const std::string& path, bool local) {
  AuthRound r{.name = sec.name, .id = Identity{.kind = Identity::Kind::kAny, .text = "%any"}, .loc = sec.loc};
  bool id_given = false;
  bool auth_bad = false;  // no follow-up errors about a method we did not understand
  const KeyRule rules[] = {
      {"auth", [&](const Setting& s) -> Result {
         auth_bad = true;
         if (s.value.starts_with("eap") || s.value.starts_with("xauth"))
           return unexpected("'" + s.value + "' is not supported (psk or pubkey)");
         auto res = set_choice(r.auth, s.value, {{"psk", AuthMethod::kPsk}, {"pubkey", AuthMethod::kPubkey},
                                                 {"rsa", AuthMethod::kPubkey}, {"ecdsa", AuthMethod::kPubkey}});
         auth_bad = !res;
         return res;
       }},
      {"id", [&](const Setting& s) -> Result {
         auto id = parse_identity(s.value);
         if (!id) return unexpected(id.error());
         r.id = std::move(*id);
         id_given = true;
         return {};
       }},
      {"certs", [&](const Setting& s) { return set_files(ctx, s, r.certs, "x509", path); }},
      {"cacerts", [&](const Setting& s) { return set_files(ctx, s, r.cacerts, "x509ca", path); }},
      {"pubkeys", [&](const Setting& s) { return set_files(ctx, s, r.pubkeys, "pubkey", path); }},
      {"round", [&](const Setting& s) { std::uint32_t n = 0; return set_u32(n, s.value, 100); }},
      {"revocation", [&](const Setting& s) -> Result {
         if (local) ctx.diags.warning(s.loc, path + ".revocation: has no effect in a local round");
         return set_choice(r.revocation, s.value, {{"relaxed", Revocation::kRelaxed},
                                                   {"ifuri", Revocation::kIfUri},
                                                   {"strict", Revocation::kStrict}});
       }},
  };
  apply_rules(ctx, sec, path, rules, [&](const Setting& s) {
    for (const auto& [key, why] : kUnsupportedAuthKeys)
      if (s.key == key) {
        ctx.diags.error(s.loc, path + "." + s.key + ": " + std::string(why));
        return true;
      }
    return false;
  });
  check_sections(ctx, sec, path, [](const std::string&) { return false; });
  if (r.auth == AuthMethod::kPubkey && !auth_bad) {
    if (local && r.certs.empty() && r.pubkeys.empty())
      ctx.diags.error(sec.loc, path + ": auth = pubkey needs certs (our certificate)");
    if (!local && r.cacerts.empty() && r.certs.empty() && r.pubkeys.empty()) {
      r.cacerts = swanctl_ca_dir(ctx, sec.loc);
      for (const auto& ca : ctx.authority_cas)
        if (std::find(r.cacerts.begin(), r.cacerts.end(), ca) == r.cacerts.end()) r.cacerts.push_back(ca);
      if (r.cacerts.empty())
        ctx.diags.error(sec.loc, path + ": auth = pubkey needs cacerts, certs or pubkeys to trust "
                                        "(or CA certificates in x509ca/ or the authorities section)");
    }
  }
  if (local && id_given && r.id.wildcard)
    ctx.diags.error(sec.loc, path + ".id: our own identity cannot contain wildcards");
  return r;
}

// strongSwan keys that only matter to an initiator: accepted, warned about.
constexpr std::string_view kInitiatorOnly[] = {"remote_port", "keyingtries", "rand_time"};
constexpr std::pair<std::string_view, std::string_view> kUnsupportedConnKeys[] = {
    {"pools", "virtual IP pools are not supported"},
    {"vips", "virtual IPs are requested by initiators; answerd only responds"},
    {"aggressive", "IKEv1 Aggressive Mode is not supported"},
    {"pull", "IKEv1 Mode Config is not supported"},
    {"ppk_id", "post-quantum preshared keys are not supported"},
    {"ppk_required", "post-quantum preshared keys are not supported"},
};

bool conn_fallback(Ctx& ctx, const Setting& s, const std::string& path) {
  for (auto k : kInitiatorOnly)
    if (s.key == k) {
      ctx.diags.warning(s.loc, path + "." + s.key + " has no effect: answerd never initiates or rekeys");
      return true;
    }
  for (const auto& [key, why] : kUnsupportedConnKeys)
    if (s.key == key) {
      ctx.diags.error(s.loc, path + "." + s.key + ": " + std::string(why));
      return true;
    }
  return false;
}

void conn_rules(Ctx& ctx, const Section& sec, const std::string& path, Connection& c, bool& over_given) {
  auto addrs = [](std::vector<AddressRange>& out) {
    return [&out](const Setting& s) -> Result {
      auto l = parse_address_list(s.value);
      if (!l) return unexpected(l.error());
      out = std::move(*l);
      return {};
    };
  };
  const KeyRule rules[] = {
      {"version", [&](const Setting& s) -> Result {
         if (s.value == "1")
           return unexpected(std::string("IKEv1 is not supported: answerd is IKEv2-only (use 2 or 0)"));
         if (s.value != "0" && s.value != "2") return unexpected("'" + s.value + "' is not one of 0, 2");
         return {};
       }},
      {"local_addrs", addrs(c.local_addrs)},
      {"remote_addrs", addrs(c.remote_addrs)},
      {"local_port", [&](const Setting& s) -> Result {
         std::uint32_t p = 0;
         auto r = set_u32(p, s.value, 65535);
         if (r && p == 0) return unexpected(std::string("port 0 is not valid"));
         c.local_port = static_cast<std::uint16_t>(p);
         return r;
       }},
      {"proposals", [&](const Setting& s) -> Result {
         auto l = parse_ike_proposals(s.value);
         if (!l) return unexpected(l.error());
         c.proposals = std::move(*l);
         return {};
       }},
      {"unique", [&](const Setting& s) {
         return set_choice(c.unique, s.value, {{"no", Unique::kNo}, {"never", Unique::kNever},
                                               {"keep", Unique::kKeep}, {"replace", Unique::kReplace}});
       }},
      {"fragmentation", [&](const Setting& s) {
         return set_choice(c.fragmentation, s.value, {{"yes", Fragmentation::kYes}, {"accept", Fragmentation::kAccept},
                                                      {"force", Fragmentation::kForce}, {"no", Fragmentation::kNo}});
       }},
      {"childless", [&](const Setting& s) {
         return set_choice(c.childless, s.value, {{"allow", Childless::kAllow}, {"force", Childless::kForce},
                                                  {"never", Childless::kNever}});
       }},
      {"dpd_delay", [&](const Setting& s) { return set_seconds(c.dpd_delay, s.value); }},
      {"dpd_timeout", [&](const Setting& s) { return set_seconds(c.dpd_timeout, s.value); }},
      {"rekey_time", [&](const Setting& s) { return set_seconds(c.rekey_time, s.value); }},
      {"reauth_time", [&](const Setting& s) { return set_seconds(c.reauth_time, s.value); }},
      {"over_time", [&](const Setting& s) { over_given = true; return set_seconds(c.over_time, s.value); }},
      {"send_certreq", [&](const Setting& s) { return set_bool(c.send_certreq, s.value); }},
      {"send_cert", [&](const Setting& s) {
         return set_choice(c.send_cert, s.value, {{"ifasked", SendCert::kIfAsked}, {"always", SendCert::kAlways},
                                                  {"never", SendCert::kNever}});
       }},
      {"encap", [&](const Setting& s) { return set_bool(c.encap, s.value); }},
      {"mobike", [&](const Setting& s) -> Result {
         auto r = set_bool(c.mobike, s.value);
         if (r && c.mobike)
           ctx.diags.warning(s.loc, path + ".mobike: MOBIKE (RFC 4555) is not implemented; answerd does not announce it");
         return r;
       }},
      {"if_id_in", [&](const Setting& s) { return set_if_id(c.if_id_in, s.value); }},
      {"if_id_out", [&](const Setting& s) { return set_if_id(c.if_id_out, s.value); }},
  };
  apply_rules(ctx, sec, path, rules, [&](const Setting& s) { return conn_fallback(ctx, s, path); });
}

bool is_round(const std::string& name, std::string_view base) {
  return name.starts_with(base) && name != "local_addrs" && name != "remote_addrs";
}

void check_if_ids(Ctx& ctx, const Connection& c, const std::string& path) {
  if (c.if_id_in.has_value() != c.if_id_out.has_value()) {
    ctx.diags.error(c.loc, path + ": if_id_in and if_id_out must be set together");
    return;
  }
  for (const auto& ch : c.children) {
    bool in = ch.if_id_in.has_value() || c.if_id_in.has_value();
    bool out = ch.if_id_out.has_value() || c.if_id_out.has_value();
    if (in != out)
      ctx.diags.error(ch.loc, path + ".children." + ch.name + ": if_id_in and if_id_out must be set together");
  }
}

Connection validate_connection(Ctx& ctx, const Section& sec, const std::string& path) {
  Connection c{.name = sec.name, .loc = sec.loc};
  bool over_given = false;
  conn_rules(ctx, sec, path, c, over_given);
  check_sections(ctx, sec, path, [](const std::string& n) {
    return n == "children" || is_round(n, "local") || is_round(n, "remote");
  });
  // strongSwan orders rounds by their section names' suffix.
  std::vector<const Section*> subs;
  for (const auto& sub : sec.sections) subs.push_back(&sub);
  std::sort(subs.begin(), subs.end(), [](const Section* a, const Section* b) { return a->name < b->name; });
  for (const Section* sub : subs) {
    if (sub->name == "children") c.children = validate_children(ctx, *sub, path + ".children");
    else if (is_round(sub->name, "local")) c.local.push_back(validate_round(ctx, *sub, path + "." + sub->name, true));
    else if (is_round(sub->name, "remote")) c.remote.push_back(validate_round(ctx, *sub, path + "." + sub->name, false));
  }
  if (c.local.empty()) ctx.diags.error(sec.loc, path + ": missing local { } section (our auth and id)");
  if (c.remote.empty()) ctx.diags.error(sec.loc, path + ": missing remote { } section (the peer's auth and id)");
  if (c.local.size() > 1 || c.remote.size() > 1)
    ctx.diags.error(sec.loc, path + ": multiple authentication rounds (RFC 4739) are not supported");
  if (c.local_addrs.empty()) c.local_addrs = *parse_address_list("%any");
  if (c.remote_addrs.empty()) c.remote_addrs = *parse_address_list("%any");
  if (c.proposals.empty()) c.proposals = default_ike_proposals();
  if (!over_given) c.over_time = std::max(c.rekey_time, c.reauth_time) / 10;
  if (c.children.empty())
    ctx.diags.warning(sec.loc, path + ": no children: peers can authenticate but get no CHILD_SA");
  check_if_ids(ctx, c, path);
  return c;
}

}  // namespace

void validate_connections(Ctx& ctx, const Section& sec, std::vector<Connection>& out) {
  for (const auto& s : sec.settings)
    ctx.diags.error(s.loc, "unexpected key '" + s.key + "' in connections (connections are sections)");
  for (const auto& sub : sec.sections) out.push_back(validate_connection(ctx, sub, "connections." + sub.name));
}

}  // namespace answerd::config::detail
