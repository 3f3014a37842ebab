// Identity parsing and wildcard matching (identity.h).
#include "config/identity.h"

#include <algorithm>

#include "config/values.h"

namespace answerd::config {
namespace {

struct RdnName {
  std::string_view name;       // accepted spelling (case-insensitive)
  std::string_view canonical;  // how we print it
  std::string_view oid;
};
// X.520 / RFC 4519 attribute types, as strongSwan's x501rdns table names them.
constexpr RdnName kRdnNames[] = {
    {"C", "C", "2.5.4.6"},           {"ST", "ST", "2.5.4.8"},
    {"S", "ST", "2.5.4.8"},          {"L", "L", "2.5.4.7"},
    {"O", "O", "2.5.4.10"},          {"OU", "OU", "2.5.4.11"},
    {"CN", "CN", "2.5.4.3"},         {"SN", "SN", "2.5.4.4"},
    {"serialNumber", "serialNumber", "2.5.4.5"},
    {"street", "street", "2.5.4.9"}, {"T", "T", "2.5.4.12"},
    {"title", "T", "2.5.4.12"},      {"D", "D", "2.5.4.13"},
    {"postalCode", "postalCode", "2.5.4.17"},
    {"N", "N", "2.5.4.41"},          {"G", "G", "2.5.4.42"},
    {"givenName", "G", "2.5.4.42"},  {"I", "I", "2.5.4.43"},
    {"initials", "I", "2.5.4.43"},   {"dnQualifier", "dnQualifier", "2.5.4.46"},
    {"pseudonym", "pseudonym", "2.5.4.65"},
    {"E", "E", "1.2.840.113549.1.9.1"}, {"email", "E", "1.2.840.113549.1.9.1"},
    {"emailAddress", "E", "1.2.840.113549.1.9.1"},
    {"DC", "DC", "0.9.2342.19200300.100.1.25"},
    {"UID", "UID", "0.9.2342.19200300.100.1.1"},
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lx = static_cast<char>(x >= 'A' && x <= 'Z' ? x + 32 : x);
           auto ly = static_cast<char>(y >= 'A' && y <= 'Z' ? y + 32 : y);
           return lx == ly;
         });
}

// Splits at `sep` unless escaped with a backslash; unescapes "\<sep>" and "\\".
expected<std::vector<std::string>, std::string> split_dn(std::string_view s, char sep) {
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      parts.back().push_back(s[++i]);
    } else if (s[i] == sep) {
      parts.emplace_back();
    } else {
      parts.back().push_back(s[i]);
    }
  }
  return parts;
}

expected<std::vector<Rdn>, std::string> parse_dn(std::string_view s) {
  char sep = ',';
  if (!s.empty() && s.front() == '/') {
    sep = '/';
    s.remove_prefix(1);
  }
  auto parts = split_dn(s, sep);
  if (!parts) return unexpected(parts.error());
  std::vector<Rdn> out;
  for (const auto& part : *parts) {
    auto eq = part.find('=');
    if (eq == std::string::npos)
      return unexpected("DN part '" + std::string(trim(part)) + "' is not TYPE=value");
    std::string_view type = trim(std::string_view(part).substr(0, eq));
    std::string_view value = trim(std::string_view(part).substr(eq + 1));
    const RdnName* found = nullptr;
    for (const auto& n : kRdnNames)
      if (iequals(n.name, type)) found = &n;
    if (found == nullptr) return unexpected("unknown DN attribute '" + std::string(type) + "'");
    if (value.empty()) return unexpected("empty value for DN attribute '" + std::string(type) + "'");
    out.push_back({.type = std::string(found->canonical), .oid = std::string(found->oid),
                   .value = std::string(value)});
  }
  return out;
}

expected<std::string, std::string> from_hex(std::string_view hex) {
  if (hex.empty() || hex.size() % 2 != 0)
    return unexpected(std::string("key id needs an even number of hex digits"));
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    auto v = parse_uint("0x" + std::string(hex.substr(i, 2)), 255);
    if (!v) return unexpected("invalid hex digit in key id '" + std::string(hex) + "'");
    out.push_back(static_cast<char>(*v));
  }
  return out;
}

Identity make(Identity::Kind k, std::string_view text, std::string value) {
  Identity id{.kind = k, .text = std::string(text), .value = std::move(value)};
  id.wildcard = id.value.find('*') != std::string::npos;
  return id;
}

expected<Identity, std::string> typed(std::string_view s, std::string_view text) {
  auto rest = [&](std::string_view p) { return s.substr(p.size()); };
  auto ip = [&](std::string_view v, std::uint8_t fam) -> expected<Identity, std::string> {
    auto a = parse_ip(v);
    if (!a || a->family != fam) return unexpected("'" + std::string(v) + "' is not an IPv" +
                                                  std::to_string(fam) + " address");
    Identity id = make(fam == 4 ? Identity::Kind::kIpv4 : Identity::Kind::kIpv6, text, "");
    id.addr = *a;
    return id;
  };
  if (s.starts_with("ipv4:")) return ip(rest("ipv4:"), 4);
  if (s.starts_with("ipv6:")) return ip(rest("ipv6:"), 6);
  for (std::string_view p : {"fqdn:", "dns:"})
    if (s.starts_with(p)) return make(Identity::Kind::kFqdn, text, std::string(rest(p)));
  for (std::string_view p : {"rfc822:", "email:", "userfqdn:"})
    if (s.starts_with(p)) return make(Identity::Kind::kRfc822, text, std::string(rest(p)));
  std::string_view kid = s.starts_with("keyid:") ? rest("keyid:") : s.substr(1);  // "@#hex"
  if (!kid.empty() && kid.front() == '#') {
    auto bytes = from_hex(kid.substr(1));
    if (!bytes) return unexpected(bytes.error());
    return Identity{.kind = Identity::Kind::kKeyId, .text = std::string(text), .value = *bytes};
  }
  return Identity{.kind = Identity::Kind::kKeyId, .text = std::string(text), .value = std::string(kid)};
}

}  // namespace

expected<Identity, std::string> parse_identity(std::string_view s) {
  s = trim(s);
  std::string_view text = s;
  if (s.empty()) return unexpected(std::string("empty identity"));
  if (s == "%any" || s == "%any6") return Identity{.kind = Identity::Kind::kAny, .text = std::string(s)};
  auto colon = s.find(':');
  if (colon != std::string_view::npos && s.find('=') == std::string_view::npos) {
    std::string_view prefix = s.substr(0, colon + 1);
    for (std::string_view p : {"ipv4:", "ipv6:", "fqdn:", "dns:", "rfc822:", "email:", "userfqdn:", "keyid:"})
      if (prefix == p) {
        if (s.size() == p.size()) return unexpected("empty identity after '" + std::string(p) + "'");
        return typed(s, text);
      }
  }
  if (s.find('=') != std::string_view::npos) {
    auto rdns = parse_dn(s);
    if (!rdns) return unexpected("invalid DN '" + std::string(s) + "': " + rdns.error());
    Identity id{.kind = Identity::Kind::kDn, .text = std::string(s), .rdns = std::move(*rdns)};
    for (const auto& r : id.rdns) id.wildcard = id.wildcard || r.value == "*";
    return id;
  }
  if (s.find_first_of(" \t") != std::string_view::npos)
    return unexpected("identity '" + std::string(s) + "' contains blanks (a DN needs TYPE=value parts)");
  if (s.starts_with("@#")) return typed(s, text);
  if (s.starts_with("@@")) return make(Identity::Kind::kRfc822, text, std::string(s.substr(2)));
  if (s.starts_with("@")) {
    if (s.size() == 1) return unexpected(std::string("empty FQDN identity '@'"));
    return make(Identity::Kind::kFqdn, text, std::string(s.substr(1)));
  }
  if (s.find('@') != std::string_view::npos) return make(Identity::Kind::kRfc822, text, std::string(s));
  if (auto a = parse_ip(s)) {
    Identity id{.kind = a->family == 4 ? Identity::Kind::kIpv4 : Identity::Kind::kIpv6, .text = std::string(s)};
    id.addr = *a;
    return id;
  }
  return make(Identity::Kind::kFqdn, text, std::string(s));
}

ike::IdType id_type(const Identity& id) {
  switch (id.kind) {
    case Identity::Kind::kIpv4: return ike::IdType::kIpv4Addr;
    case Identity::Kind::kIpv6: return ike::IdType::kIpv6Addr;
    case Identity::Kind::kRfc822: return ike::IdType::kRfc822Addr;
    case Identity::Kind::kDn: return ike::IdType::kDerAsn1Dn;
    case Identity::Kind::kKeyId: return ike::IdType::kKeyId;
    case Identity::Kind::kFqdn:
    case Identity::Kind::kAny: break;
  }
  return ike::IdType::kFqdn;
}

namespace {

// strongSwan's matches_string(): a leading '*' matches any prefix (case-insensitive).
bool match_string(std::string_view pattern, std::string_view value) {
  if (!pattern.empty() && pattern.front() == '*') {
    std::string_view tail = pattern.substr(1);
    return value.size() >= tail.size() && iequals(value.substr(value.size() - tail.size()), tail);
  }
  return iequals(pattern, value);
}

}  // namespace

bool matches(const Identity& pattern, const Identity& id) {
  if (pattern.kind == Identity::Kind::kAny) return true;
  if (pattern.kind != id.kind) return false;
  switch (pattern.kind) {
    case Identity::Kind::kIpv4:
    case Identity::Kind::kIpv6:
      return pattern.addr == id.addr;
    case Identity::Kind::kFqdn:
    case Identity::Kind::kRfc822:
      return match_string(pattern.value, id.value);
    case Identity::Kind::kKeyId:
      return pattern.value == id.value;
    case Identity::Kind::kDn:
      if (pattern.rdns.size() != id.rdns.size()) return false;
      for (std::size_t i = 0; i < id.rdns.size(); ++i) {
        const Rdn& p = pattern.rdns[i];
        if (p.oid != id.rdns[i].oid) return false;
        if (p.value != "*" && !iequals(p.value, id.rdns[i].value)) return false;
      }
      return true;
    case Identity::Kind::kAny:
      break;
  }
  return true;
}

std::string dn_to_string(const std::vector<Rdn>& rdns) {
  std::string out;
  for (const auto& r : rdns) {
    if (!out.empty()) out += ", ";
    out += r.type + "=" + r.value;
  }
  return out;
}

}  // namespace answerd::config
