// SK/SKF layout helpers (sk.h): authenticated-data ranges, outgoing layouts,
// padding; and the decrypted-chain round trip the SA layer performs.
#include <gtest/gtest.h>

#include "ike/wire/message.h"
#include "ike/wire/sk.h"
#include "sample_messages.h"

namespace answerd::ike {
namespace {

Header auth_header() {
  Header h;
  h.spi_i = IkeSpi(1);
  h.spi_r = IkeSpi(2);
  h.exchange = ExchangeType::kIkeAuth;
  h.flags = kFlagInitiator;
  h.message_id = MessageId(1);
  return h;
}

TEST(WireSk, BuildThenLocateAndDecodeInner) {
  const auto inner = testing::ike_auth_request_inner();
  auto plain = serialize_payload_chain(inner);
  ASSERT_TRUE(plain);
  const Bytes padded = sk_pad(*plain, 16);
  EXPECT_EQ(padded.size() % 16, 0u);
  // A stand-in cipher: IV (16) || "ciphertext" (the padded plaintext) || ICV (16).
  const std::size_t enc_len = 16 + padded.size() + 16;
  auto layout = build_sk_message(auth_header(), chain_first_type(inner), enc_len);
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_EQ(layout->aad().size(), kIkeHeaderLen + 4);  // RFC 5282 5.1: header + SK header
  EXPECT_EQ(layout->message.size(), kIkeHeaderLen + 4 + enc_len);
  auto enc = layout->encrypted();
  std::copy(padded.begin(), padded.end(), enc.begin() + 16);

  auto view = locate_encrypted(layout->message);
  ASSERT_TRUE(view) << view.error().to_string();
  EXPECT_EQ(view->type, PayloadType::kSk);
  EXPECT_EQ(view->first_inner, PayloadType::kIdi);
  EXPECT_EQ(view->aad.data(), layout->message.data());
  EXPECT_EQ(view->aad.size(), layout->aad().size());
  EXPECT_EQ(view->encrypted.size(), enc_len);

  auto decrypted = view->encrypted.subspan(16, view->encrypted.size() - 32);
  auto unpadded = sk_unpad(decrypted);
  ASSERT_TRUE(unpadded);
  auto back = parse_payload_chain(view->first_inner, *unpadded);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(*back, inner);

  // The whole message parses with SK as its only payload.
  auto m = parse_message(layout->message);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->payloads.size(), 1u);
  EXPECT_EQ(std::get<SkPayload>(m->payloads[0].body).encrypted.size(), enc_len);
}

TEST(WireSk, PlainPayloadsBeforeSk) {
  std::vector<Payload> plain{make_payload(VendorIdPayload{Bytes(4, 7)})};
  auto layout = build_sk_message(auth_header(), PayloadType::kNotify, 40, plain);
  ASSERT_TRUE(layout);
  auto m = parse_message(layout->message);
  ASSERT_TRUE(m) << m.error().to_string();
  ASSERT_EQ(m->payloads.size(), 2u);
  EXPECT_EQ(m->payloads[1].type, PayloadType::kSk);
  EXPECT_EQ(layout->aad().size(), kIkeHeaderLen + 8 + 4);
}

TEST(WireSk, SkfLayout) {
  auto first = build_skf_message(auth_header(), PayloadType::kIdi, 1, 3, 50);
  ASSERT_TRUE(first);
  // RFC 7383 2.5: AAD covers the SKF header including Fragment Number/Total.
  EXPECT_EQ(first->aad().size(), kIkeHeaderLen + 8);
  auto v = locate_encrypted(first->message);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, PayloadType::kSkf);
  EXPECT_EQ(v->fragment_number, 1);
  EXPECT_EQ(v->total_fragments, 3);
  EXPECT_EQ(v->first_inner, PayloadType::kIdi);
  EXPECT_EQ(v->encrypted.size(), 50u);
  auto second = build_skf_message(auth_header(), PayloadType::kIdi, 2, 3, 50);
  ASSERT_TRUE(second);
  EXPECT_EQ(locate_encrypted(second->message)->first_inner, PayloadType::kNone);
  EXPECT_FALSE(build_skf_message(auth_header(), PayloadType::kIdi, 4, 3, 50));
  EXPECT_FALSE(build_sk_message(auth_header(), PayloadType::kIdi, 70000));
}

TEST(WireSk, NoEncryptedPayload) {
  auto bytes = serialize_message(testing::ike_sa_init_request());
  ASSERT_TRUE(bytes);
  EXPECT_FALSE(locate_encrypted(*bytes));
}

TEST(WireSk, Padding) {
  for (std::size_t n = 0; n < 40; ++n) {
    Bytes p(n, 0xab);
    for (std::size_t block : {1u, 8u, 16u}) {
      Bytes padded = sk_pad(p, block);
      EXPECT_EQ(padded.size() % block, 0u);
      auto back = sk_unpad(padded);
      ASSERT_TRUE(back);
      EXPECT_EQ(Bytes(back->begin(), back->end()), p);
    }
  }
  EXPECT_FALSE(sk_unpad(Bytes{}));
  EXPECT_FALSE(sk_unpad(Bytes{1, 2, 5}));
}

}  // namespace
}  // namespace answerd::ike
