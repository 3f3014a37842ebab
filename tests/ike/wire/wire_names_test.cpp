// Name tables of the IANA registries (names.h, notify_types.h).
#include <gtest/gtest.h>

#include <set>

#include "ike/wire/names.h"
#include "ike/wire/notify_types.h"

namespace answerd::ike {
namespace {

TEST(WireNames, AlgorithmsAndTypes) {
  EXPECT_EQ(to_string(EncrId::kAesGcm16), "AES_GCM_16");
  EXPECT_EQ(to_string(EncrId::kAesCbc), "AES_CBC");
  EXPECT_EQ(to_string(EncrId::kChacha20Poly1305), "CHACHA20_POLY1305");
  EXPECT_EQ(to_string(DhGroup::kCurve25519), "CURVE_25519");
  EXPECT_EQ(to_string(DhGroup::kModp2048), "MODP_2048");
  EXPECT_EQ(to_string(DhGroup::kEcp256), "ECP_256");
  EXPECT_EQ(to_string(PrfId::kHmacSha2_256), "PRF_HMAC_SHA2_256");
  EXPECT_EQ(to_string(IntegId::kHmacSha2_256_128), "HMAC_SHA2_256_128");
  EXPECT_EQ(to_string(ExchangeType::kIkeSaInit), "IKE_SA_INIT");
  EXPECT_EQ(to_string(ExchangeType::kIkeIntermediate), "IKE_INTERMEDIATE");
  EXPECT_EQ(to_string(PayloadType::kIdi), "IDi");
  EXPECT_EQ(to_string(PayloadType::kSkf), "SKF");
  EXPECT_EQ(to_string(IdType::kFqdn), "ID_FQDN");
  EXPECT_EQ(to_string(AuthMethod::kSharedKeyMic), "SHARED_KEY_MIC");
  EXPECT_EQ(to_string(TsType::kIpv6AddrRange), "TS_IPV6_ADDR_RANGE");
  EXPECT_EQ(to_string(CfgAttr::kInternalIp4Address), "INTERNAL_IP4_ADDRESS");
  EXPECT_EQ(to_string(static_cast<EncrId>(99)), "ENCR(99)");
  EXPECT_EQ(find_name(static_cast<DhGroup>(99)), std::nullopt);
  EXPECT_EQ(transform_name(TransformType::kDh, 31), "CURVE_25519");
  EXPECT_EQ(transform_name(TransformType::kEncr, 20), "AES_GCM_16");
  EXPECT_EQ(transform_name(TransformType::kEsn, 0), "NO_EXT_SEQ");
  EXPECT_EQ(transform_name(static_cast<TransformType>(6), 36), "ML_KEM_768");
}

TEST(WireNames, NotifyRegistry) {
  struct Case {
    std::uint16_t value;
    const char* name;
  };
  // Spot checks across the registry (IANA "IKEv2 Notify Message Types").
  const Case cases[] = {{1, "UNSUPPORTED_CRITICAL_PAYLOAD"}, {4, "INVALID_IKE_SPI"},
                        {5, "INVALID_MAJOR_VERSION"}, {7, "INVALID_SYNTAX"}, {14, "NO_PROPOSAL_CHOSEN"},
                        {17, "INVALID_KE_PAYLOAD"}, {24, "AUTHENTICATION_FAILED"}, {38, "TS_UNACCEPTABLE"},
                        {43, "TEMPORARY_FAILURE"}, {44, "CHILD_SA_NOT_FOUND"}, {49, "REGISTRATION_FAILED"},
                        {16384, "INITIAL_CONTACT"}, {16388, "NAT_DETECTION_SOURCE_IP"},
                        {16389, "NAT_DETECTION_DESTINATION_IP"}, {16390, "COOKIE"},
                        {16391, "USE_TRANSPORT_MODE"}, {16393, "REKEY_SA"},
                        {16394, "ESP_TFC_PADDING_NOT_SUPPORTED"}, {16395, "NON_FIRST_FRAGMENTS_ALSO"},
                        {16396, "MOBIKE_SUPPORTED"}, {16403, "AUTH_LIFETIME"},
                        {16404, "MULTIPLE_AUTH_SUPPORTED"}, {16418, "CHILDLESS_IKEV2_SUPPORTED"},
                        {16430, "IKEV2_FRAGMENTATION_SUPPORTED"}, {16431, "SIGNATURE_HASH_ALGORITHMS"},
                        {16438, "INTERMEDIATE_EXCHANGE_SUPPORTED"}, {16441, "ADDITIONAL_KEY_EXCHANGE"},
                        {16443, "SUPPORTED_AUTH_METHODS"}};
  for (const auto& c : cases) {
    EXPECT_EQ(to_string(static_cast<NotifyType>(c.value)), c.name);
    EXPECT_EQ(notify_type_from_name(c.name), static_cast<NotifyType>(c.value));
  }
  EXPECT_EQ(to_string(static_cast<NotifyType>(12)), "NOTIFY_ERROR(12)");
  EXPECT_EQ(to_string(static_cast<NotifyType>(40000)), "NOTIFY_STATUS(40000)");
  EXPECT_TRUE(is_error(NotifyType::kInvalidSyntax));
  EXPECT_FALSE(is_error(NotifyType::kCookie));
  // The table covers every error type 1..49 that IANA assigned and a contiguous
  // status range 16384..16446, with unique values and names.
  std::set<std::uint16_t> values;
  std::set<std::string_view> names;
  for (const auto& e : notify_type_table()) {
    values.insert(static_cast<std::uint16_t>(e.type));
    names.insert(e.name);
  }
  EXPECT_EQ(values.size(), notify_type_table().size());
  EXPECT_EQ(names.size(), notify_type_table().size());
  for (std::uint16_t v = 16384; v <= 16446; ++v) EXPECT_TRUE(values.count(v)) << v;
  EXPECT_EQ(values.size(), 25u + 63u);
}

}  // namespace
}  // namespace answerd::ike
