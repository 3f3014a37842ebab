// strongSwan proposal keywords -> IANA transform lists, and back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/proposal_keywords.h"

namespace answerd::config {
namespace {

using ike::DhGroup;
using ike::EncrId;
using ike::EsnId;
using ike::IntegId;
using ike::PrfId;
using ike::ProtocolId;

struct IkeCase {
  const char* text;
  Proposal want;
  const char* display;
};

class IkeProposals : public ::testing::TestWithParam<IkeCase> {};

TEST_P(IkeProposals, ParseAndDisplay) {
  auto p = parse_ike_proposal(GetParam().text);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(*p, GetParam().want);
  EXPECT_EQ(to_keyword(*p), GetParam().display);
  auto again = parse_ike_proposal(to_keyword(*p));  // the display form parses back
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *p);
}

INSTANTIATE_TEST_SUITE_P(
    Keywords, IkeProposals,
    ::testing::Values(
        IkeCase{"aes256gcm16-prfsha256-x25519",
                {.protocol = ProtocolId::kIke, .encr = {{EncrId::kAesGcm16, 256}}, .integ = {},
                 .prf = {PrfId::kHmacSha2_256}, .dh = {DhGroup::kCurve25519}, .esn = {}},
                "aes256gcm16-prfsha256-x25519"},
        IkeCase{"aes128-sha256-modp2048",  // PRF derived from the integrity algorithm
                {.protocol = ProtocolId::kIke, .encr = {{EncrId::kAesCbc, 128}},
                 .integ = {IntegId::kHmacSha2_256_128}, .prf = {PrfId::kHmacSha2_256},
                 .dh = {DhGroup::kModp2048}, .esn = {}},
                "aes128-sha256-prfsha256-modp2048"},
        IkeCase{"chacha20poly1305-prfsha384-ecp384",
                {.protocol = ProtocolId::kIke, .encr = {{EncrId::kChacha20Poly1305, 0}}, .integ = {},
                 .prf = {PrfId::kHmacSha2_384}, .dh = {DhGroup::kEcp384}, .esn = {}},
                "chacha20poly1305-prfsha384-ecp384"},
        IkeCase{"aes256-sha384-ecp384-modp3072",  // several KE groups: any one is chosen
                {.protocol = ProtocolId::kIke, .encr = {{EncrId::kAesCbc, 256}},
                 .integ = {IntegId::kHmacSha2_384_192}, .prf = {PrfId::kHmacSha2_384},
                 .dh = {DhGroup::kEcp384, DhGroup::kModp3072}, .esn = {}},
                "aes256-sha384-prfsha384-ecp384-modp3072"},
        IkeCase{"aes256gcm16-sha256-curve25519",  // strongSwan: integ derives the PRF, then is dropped
                {.protocol = ProtocolId::kIke, .encr = {{EncrId::kAesGcm16, 256}}, .integ = {},
                 .prf = {PrfId::kHmacSha2_256}, .dh = {DhGroup::kCurve25519}, .esn = {}},
                "aes256gcm16-prfsha256-x25519"},
        IkeCase{"aes-aes256-sha1-sha512-prfsha1-modp2048-modp2048",  // aliases, duplicates dropped
                {.protocol = ProtocolId::kIke, .encr = {{EncrId::kAesCbc, 128}, {EncrId::kAesCbc, 256}},
                 .integ = {IntegId::kHmacSha1_96, IntegId::kHmacSha2_512_256}, .prf = {PrfId::kHmacSha1},
                 .dh = {DhGroup::kModp2048}, .esn = {}},
                "aes128-aes256-sha1-sha512-prfsha1-modp2048"},
        IkeCase{"aes128gcm128-aes128ccm8-prfaescmac-ecp256bp",
                {.protocol = ProtocolId::kIke, .encr = {{EncrId::kAesGcm16, 128}, {EncrId::kAesCcm8, 128}},
                 .integ = {}, .prf = {PrfId::kAes128Cmac}, .dh = {DhGroup::kBrainpool256}, .esn = {}},
                "aes128gcm16-aes128ccm8-prfaescmac-ecp256bp"}));

struct BadCase {
  const char* text;
  const char* error;
};

class BadIkeProposals : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadIkeProposals, Rejected) {
  auto p = parse_ike_proposal(GetParam().text);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Keywords, BadIkeProposals,
    ::testing::Values(
        BadCase{"aes256gcm16-sha256", "a DH group is mandatory in IKE proposals ('aes256gcm16-sha256')"},
        BadCase{"aes256gcm16-aes256-sha256-modp2048",
                "AEAD and classic encryption algorithms cannot be mixed in one proposal "
                "('aes256gcm16-aes256-sha256-modp2048')"},
        BadCase{"aes256-prfsha256-modp2048",
                "an integrity algorithm is mandatory with classic encryption ('aes256-prfsha256-modp2048')"},
        BadCase{"aes256gcm16-x25519", "a PRF algorithm is mandatory in IKE proposals ('aes256gcm16-x25519')"},
        BadCase{"sha256-modp2048", "an encryption algorithm is mandatory in IKE proposals ('sha256-modp2048')"},
        BadCase{"aes256-sha256-modp2048-esn", "esn/noesn are not allowed in IKE proposals ('aes256-sha256-modp2048-esn')"},
        BadCase{"aes256-sha256-modp9999", "unknown algorithm 'modp9999' in proposal 'aes256-sha256-modp9999'"},
        BadCase{"aes256--sha256", "empty algorithm in proposal 'aes256--sha256'"},
        BadCase{"", "empty proposal"}));

TEST(EspProposals, Parse) {
  auto p = parse_esp_proposal("aes256gcm16");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (Proposal{.protocol = ProtocolId::kEsp, .encr = {{EncrId::kAesGcm16, 256}}, .integ = {},
                          .prf = {}, .dh = {}, .esn = {EsnId::kNoEsn}}));
  EXPECT_EQ(to_keyword(*p), "aes256gcm16");
  auto q = parse_esp_proposal("aes128-sha256-x25519-esn-noesn");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->dh, std::vector<DhGroup>{DhGroup::kCurve25519});  // PFS group
  EXPECT_EQ(q->esn, (std::vector<EsnId>{EsnId::kEsn, EsnId::kNoEsn}));
  EXPECT_EQ(to_keyword(*q), "aes128-sha256-x25519-esn-noesn");
  EXPECT_EQ(parse_esp_proposal("aes128").error(), "an integrity algorithm is mandatory with classic encryption ('aes128')");
  EXPECT_EQ(parse_esp_proposal("aes128gcm16-prfsha256").error(),
            "PRF algorithms are not allowed in ESP proposals ('aes128gcm16-prfsha256')");
}

TEST(ProposalLists, DefaultExpandsInPlace) {
  auto l = parse_ike_proposals("aes128-sha256-modp2048, default");
  ASSERT_TRUE(l);
  ASSERT_EQ(l->size(), 1 + default_ike_proposals().size());
  EXPECT_EQ(to_keyword((*l)[0]), "aes128-sha256-prfsha256-modp2048");
  EXPECT_TRUE(is_aead((*l)[1]));
  EXPECT_EQ(to_keyword(default_esp_proposals()),
            "aes128gcm16-aes192gcm16-aes256gcm16-chacha20poly1305, aes128-aes192-aes256-sha256-sha384-sha512");
  for (const auto& p : default_ike_proposals()) {
    EXPECT_FALSE(p.encr.empty());
    EXPECT_FALSE(p.prf.empty());
    EXPECT_FALSE(p.dh.empty());
  }
  EXPECT_EQ(parse_esp_proposals("aes256gcm16, bogus").error(), "unknown algorithm 'bogus' in proposal 'bogus'");
  EXPECT_EQ(parse_ike_proposals(" ").error(), "empty proposal list");
}

TEST(ProposalLists, KeywordsAreCaseInsensitiveLikeStrongSwan) {
  auto p = parse_ike_proposal("AES256GCM16-PRFSHA256-X25519");
  ASSERT_TRUE(p);
  EXPECT_EQ(to_keyword(*p), "aes256gcm16-prfsha256-x25519");
}

TEST(ProposalDisplay, UnknownIds) {
  EXPECT_EQ(to_keyword(EncrAlg{static_cast<EncrId>(99), 128}), "encr99/128");
  EXPECT_EQ(to_keyword(static_cast<DhGroup>(77)), "ke77");
}

}  // namespace
}  // namespace answerd::config
