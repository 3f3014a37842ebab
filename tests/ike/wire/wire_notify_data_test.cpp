// Notification data encoders/decoders (notify_data.h) and serialize_body().
#include <gtest/gtest.h>

#include "ike/wire/message.h"
#include "ike/wire/notify_data.h"

namespace answerd::ike {
namespace {

const NotifyPayload& notify(const Payload& p) { return std::get<NotifyPayload>(p.body); }

TEST(WireNotifyData, InvalidKeAndAuthLifetime) {
  const Payload ike = make_invalid_ke_payload(DhGroup::kEcp256);
  EXPECT_EQ(notify(ike).type, NotifyType::kInvalidKePayload);
  EXPECT_EQ(notify(ike).data, (Bytes{0, 19}));
  EXPECT_EQ(parse_invalid_ke_payload(notify(ike).data), DhGroup::kEcp256);
  EXPECT_EQ(parse_invalid_ke_payload(Bytes{0, 19, 0}), std::nullopt);
  // RFC 4478 3: AUTH_LIFETIME carries the lifetime in seconds, 4 octets.
  const Payload life = make_auth_lifetime(3600);
  EXPECT_EQ(notify(life).type, NotifyType::kAuthLifetime);
  EXPECT_EQ(notify(life).data, (Bytes{0, 0, 0x0e, 0x10}));
  EXPECT_EQ(parse_auth_lifetime(notify(life).data), 3600u);
  EXPECT_EQ(parse_auth_lifetime(Bytes{1, 2}), std::nullopt);
}

TEST(WireNotifyData, SignatureHashAlgorithmsAndChildSa) {
  const HashAlgorithm algs[] = {HashAlgorithm::kSha2_256, HashAlgorithm::kSha2_512, HashAlgorithm::kIdentity};
  const Payload p = make_signature_hash_algorithms(algs);
  EXPECT_EQ(notify(p).data, (Bytes{0, 2, 0, 4, 0, 5}));
  auto back = parse_signature_hash_algorithms(notify(p).data);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, std::vector<HashAlgorithm>(std::begin(algs), std::end(algs)));
  EXPECT_FALSE(parse_signature_hash_algorithms(Bytes{0, 2, 0}));
  const Payload rekey = make_child_sa_notify(NotifyType::kRekeySa, ProtocolId::kEsp, EspSpi(0xc0ffee01));
  EXPECT_EQ(notify(rekey).protocol, 3);
  EXPECT_EQ(notify(rekey).spi, (Bytes{0xc0, 0xff, 0xee, 0x01}));
  EXPECT_EQ(notify_esp_spi(notify(rekey)), EspSpi(0xc0ffee01));
  EXPECT_EQ(notify(make_unsupported_critical_payload(static_cast<PayloadType>(200))).data, Bytes{200});
}

// RFC 7296 2.15: RestOfInitIDPayload = ID Type | RESERVED | InitIDData.
TEST(WireNotifyData, SerializeBodyOfId) {
  auto b = serialize_body(IdPayload{IdType::kFqdn, Bytes{'h', 'u', 'b'}});
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, (Bytes{2, 0, 0, 0, 'h', 'u', 'b'}));
}

}  // namespace
}  // namespace answerd::ike
