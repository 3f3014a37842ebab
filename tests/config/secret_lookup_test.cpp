// ID payloads as identities, and strongSwan's best-match PSK lookup.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load.h"
#include "config/secret_lookup.h"
#include "test_util.h"

namespace answerd::config::test {
namespace {

Identity ident(const char* s) { return *parse_identity(s); }

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(IdentityFromPayload, SimpleTypes) {
  auto v4 = identity_from_payload(ike::IdType::kIpv4Addr, std::vector<std::uint8_t>{192, 0, 2, 7});
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->text, "192.0.2.7");
  EXPECT_TRUE(matches(ident("192.0.2.7"), *v4));
  auto fqdn = identity_from_payload(ike::IdType::kFqdn, bytes("spoke1.example.com"));
  ASSERT_TRUE(fqdn);
  EXPECT_TRUE(matches(ident("*.example.com"), *fqdn));
  auto mail = identity_from_payload(ike::IdType::kRfc822Addr, bytes("a@example.com"));
  EXPECT_TRUE(matches(ident("*@example.com"), *mail));
  auto kid = identity_from_payload(ike::IdType::kKeyId, std::vector<std::uint8_t>{0xde, 0xad});
  EXPECT_EQ(kid->text, "@#dead");
  EXPECT_TRUE(matches(ident("@#dead"), *kid));
  EXPECT_EQ(identity_from_payload(ike::IdType::kIpv4Addr, std::vector<std::uint8_t>{1, 2, 3}).error(),
            "ID payload address has 3 bytes");
  EXPECT_EQ(identity_from_payload(ike::IdType::kFqdn, bytes("a b")).error(), "ID payload text has blanks or non-printable bytes");
  EXPECT_EQ(identity_from_payload(ike::IdType::kDerAsn1Dn, bytes("0")).error(), "ID type 9 is not matched by configuration");
}

TEST(FindIkeSecret, BestMatchWins) {
  auto cfg = parse_string(
      "secrets {\n"
      " ike-any { secret = any-any-any-any-any }\n"
      " ike-wild {\n  id = *.example.com\n  secret = wild-wild-wild-wild }\n"
      " ike-exact {\n  id-a = hub.example.com\n  id-b = spoke1.example.com\n  secret = exact-exact-exact-exact }\n"
      "}\n",
      "t.conf", no_files());
  ASSERT_TRUE(cfg);
  const auto& s = cfg->secrets;
  EXPECT_EQ(find_ike_secret(s, ident("hub.example.com"), ident("spoke1.example.com"))->name, "ike-exact");
  EXPECT_EQ(find_ike_secret(s, ident("gw.example.com"), ident("spoke9.example.com"))->name, "ike-wild");
  EXPECT_EQ(find_ike_secret(s, ident("gw.example.org"), ident("10.0.0.1"))->name, "ike-any");
  std::vector<Secret> only_exact{s[2]};
  EXPECT_EQ(find_ike_secret(only_exact, ident("gw.example.org"), ident("10.0.0.1")), nullptr);
  EXPECT_EQ(find_ike_secret(only_exact, ident("gw.example.org"), ident("spoke1.example.com"))->name, "ike-exact");
}

}  // namespace
}  // namespace answerd::config::test
