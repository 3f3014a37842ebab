// Identities (RFC 7296 3.5) in strongSwan syntax and strongSwan's wildcard matching.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/identity.h"

namespace answerd::config {
namespace {

using Kind = Identity::Kind;

Identity id(const char* s) {
  auto r = parse_identity(s);
  EXPECT_TRUE(r) << s << ": " << (r ? "" : r.error());
  return r ? *r : Identity{};
}

TEST(Identity, Kinds) {
  EXPECT_EQ(id("%any").kind, Kind::kAny);
  EXPECT_EQ(id("192.0.2.1").kind, Kind::kIpv4);
  EXPECT_EQ(id("2001:db8::1").kind, Kind::kIpv6);
  EXPECT_EQ(id("hub.example").kind, Kind::kFqdn);
  EXPECT_EQ(id("hub.example").value, "hub.example");
  EXPECT_EQ(id("@hub.example").value, "hub.example");
  EXPECT_EQ(id("@192.0.2.1").kind, Kind::kFqdn);  // '@' forces FQDN
  EXPECT_EQ(id("user@example.com").kind, Kind::kRfc822);
  EXPECT_EQ(id("@@user").kind, Kind::kRfc822);
  EXPECT_EQ(id("@@user").value, "user");
  EXPECT_EQ(id("fqdn:a@b").kind, Kind::kFqdn);
  EXPECT_EQ(id("email:x@y").value, "x@y");
  EXPECT_EQ(id("ipv4:10.0.0.1").kind, Kind::kIpv4);
  EXPECT_EQ(id("keyid:#0a0B").value, std::string("\x0a\x0b"));
  EXPECT_EQ(id("@#ff00").value, std::string("\xff\x00", 2));
  EXPECT_EQ(id("keyid:abc").value, "abc");
  EXPECT_EQ(id_type(id("keyid:abc")), ike::IdType::kKeyId);
  EXPECT_EQ(id_type(id("C=CH, CN=x")), ike::IdType::kDerAsn1Dn);
  EXPECT_EQ(id_type(id("a@b")), ike::IdType::kRfc822Addr);
}

TEST(Identity, DistinguishedName) {
  Identity dn = id("C=CH, O=strongSwan Project, OU=VPN\\, Ops, CN=moon.strongswan.org");
  ASSERT_EQ(dn.kind, Kind::kDn);
  ASSERT_EQ(dn.rdns.size(), 4u);
  EXPECT_EQ(dn.rdns[0], (Rdn{"C", "2.5.4.6", "CH"}));
  EXPECT_EQ(dn.rdns[1], (Rdn{"O", "2.5.4.10", "strongSwan Project"}));
  EXPECT_EQ(dn.rdns[2].value, "VPN, Ops");
  EXPECT_EQ(dn.rdns[3], (Rdn{"CN", "2.5.4.3", "moon.strongswan.org"}));
  EXPECT_EQ(dn_to_string(dn.rdns), "C=CH, O=strongSwan Project, OU=VPN, Ops, CN=moon.strongswan.org");
  Identity slash = id("/C=CH/emailAddress=a@b/CN=x");
  ASSERT_EQ(slash.rdns.size(), 3u);
  EXPECT_EQ(slash.rdns[1], (Rdn{"E", "1.2.840.113549.1.9.1", "a@b"}));
}

TEST(Identity, Errors) {
  EXPECT_EQ(parse_identity("").error(), "empty identity");
  EXPECT_EQ(parse_identity("C=CH, XX=y").error(), "invalid DN 'C=CH, XX=y': unknown DN attribute 'XX'");
  EXPECT_EQ(parse_identity("C=CH, CN").error(), "invalid DN 'C=CH, CN': DN part 'CN' is not TYPE=value");
  EXPECT_EQ(parse_identity("C=").error(), "invalid DN 'C=': empty value for DN attribute 'C'");
  EXPECT_EQ(parse_identity("keyid:#abc").error(), "key id needs an even number of hex digits");
  EXPECT_EQ(parse_identity("keyid:#zz").error(), "invalid hex digit in key id 'zz'");
  EXPECT_EQ(parse_identity("ipv4:::1").error(), "'::1' is not an IPv4 address");
  EXPECT_EQ(parse_identity("two words").error(),
            "identity 'two words' contains blanks (a DN needs TYPE=value parts)");
  EXPECT_EQ(parse_identity("fqdn:").error(), "empty identity after 'fqdn:'");
}

TEST(Identity, Matching) {
  EXPECT_TRUE(matches(id("%any"), id("anything.example")));
  EXPECT_TRUE(matches(id("*.example.com"), id("vpn.Example.com")));
  EXPECT_FALSE(matches(id("*.example.com"), id("example.org")));
  EXPECT_TRUE(matches(id("*@example.com"), id("alice@example.com")));
  EXPECT_FALSE(matches(id("*@example.com"), id("alice.example.com")));  // FQDN vs RFC822
  EXPECT_TRUE(matches(id("C=CH, O=Org, CN=*"), id("C=CH, O=Org, CN=spoke1")));
  EXPECT_FALSE(matches(id("C=CH, O=Org, CN=*"), id("C=CH, O=Other, CN=spoke1")));
  EXPECT_FALSE(matches(id("C=CH, CN=*"), id("C=CH, O=Org, CN=spoke1")));
  EXPECT_TRUE(matches(id("192.0.2.1"), id("192.0.2.1")));
  EXPECT_FALSE(matches(id("192.0.2.1"), id("192.0.2.2")));
  EXPECT_TRUE(id("*.example.com").wildcard);
  EXPECT_TRUE(id("C=CH, CN=*").wildcard);
  EXPECT_FALSE(id("hub.example").wildcard);
}

}  // namespace
}  // namespace answerd::config
