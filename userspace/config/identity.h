// IKE identities (RFC 7296 3.5) as strongSwan writes them in `id` and `id<suffix>`:
//   %any                      matches every identity
//   192.0.2.1, 2001:db8::1    ID_IPV4_ADDR / ID_IPV6_ADDR
//   hub.example, @hub.example ID_FQDN ("@" forces FQDN even for address-like text)
//   user@example.com, @@user  ID_RFC822_ADDR
//   "C=CH, O=Org, CN=hub"     ID_DER_ASN1_DN, parsed into an RDN list ('/' separated
//                             when it starts with '/'; "\," escapes a comma)
//   keyid:#0123ab, @#0123ab   ID_KEY_ID from hex; keyid:text uses the bytes of text
//   prefixes ipv4: ipv6: fqdn: dns: rfc822: email: userfqdn: force a type
// Wildcards as strongSwan matches them: "*.example.com" and "*@example.com" match by
// suffix; an RDN value "*" in a DN matches any value of that RDN.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/address.h"
#include "ike/wire/iana.h"
#include "util/expected.h"

namespace answerd::config {

struct Rdn {
  std::string type{};   // canonical short name: C, ST, L, O, OU, CN, E, DC, ...
  std::string oid{};    // dotted OID, e.g. 2.5.4.3 for CN
  std::string value{};
  friend bool operator==(const Rdn&, const Rdn&) = default;
};

struct Identity {
  enum class Kind { kAny, kIpv4, kIpv6, kFqdn, kRfc822, kDn, kKeyId };
  Kind kind = Kind::kAny;
  std::string text{};   // as written, for display
  std::string value{};  // FQDN / RFC822 text, or the raw key-id bytes
  IpAddress addr{};     // kIpv4 / kIpv6
  std::vector<Rdn> rdns{};  // kDn
  bool wildcard = false;  // has a '*' pattern (only for matching, never sent)
  friend bool operator==(const Identity&, const Identity&) = default;
};

[[nodiscard]] expected<Identity, std::string> parse_identity(std::string_view s);

// The RFC 7296 ID type, or nullopt-like kNone for %any: callers check kind first.
[[nodiscard]] ike::IdType id_type(const Identity& id);

// strongSwan's matching: does `id` (received from a peer) satisfy `pattern`?
[[nodiscard]] bool matches(const Identity& pattern, const Identity& id);

// "C=CH, O=Org, CN=hub" from the RDN list.
[[nodiscard]] std::string dn_to_string(const std::vector<Rdn>& rdns);

}  // namespace answerd::config
