// PSK AUTH (RFC 7296 2.15) built from the known-answer-tested PRFs, written out the
// way the RFC states it; verification accepts exactly that value.
#include "ike/crypto/psk_auth.h"

#include <gtest/gtest.h>

#include "hex.h"
#include "ike/crypto/transforms.h"

namespace answerd::crypto {
namespace {

using ike::PrfId;
using test::ascii;
using test::hex;
using test::repeat;

TEST(PskAuth, FollowsRfc7296Section2_15) {
  const auto psk = ascii("a long random pre-shared key");
  const auto message = repeat(0x21, 300), nonce = repeat(0x4e, 32), sk_p = repeat(0x5f, 32);
  const auto id_body = test::unhex("02000000 6875622e6578616d706c65");  // FQDN hub.example
  const PskAuthInput in{.real_message = message, .peer_nonce = nonce, .sk_p = sk_p,
                        .id_body = id_body};
  for (PrfId id : {PrfId::kHmacSha1, PrfId::kHmacSha2_256, PrfId::kHmacSha2_384,
                   PrfId::kHmacSha2_512}) {
    SCOPED_TRACE(static_cast<int>(id));
    const std::size_t n = prf_output_size(id);
    std::vector<std::uint8_t> maced_id(n), key(n), expect(n);
    ASSERT_TRUE(prf(id, sk_p, {id_body}, maced_id).has_value());
    ASSERT_TRUE(prf(id, psk, {ascii("Key Pad for IKEv2")}, key).has_value());
    ASSERT_TRUE(prf(id, key, {message, nonce, maced_id}, expect).has_value());

    auto auth = psk_auth(id, psk, in);
    ASSERT_TRUE(auth.has_value());
    EXPECT_EQ(hex(*auth), hex(expect));
    EXPECT_TRUE(verify_psk_auth(id, psk, in, *auth).has_value());

    auto wrong = *auth;
    wrong[n / 2] ^= 1;
    EXPECT_EQ(verify_psk_auth(id, psk, in, wrong).error(), CryptoError::kAuthFailed);
    EXPECT_EQ(verify_psk_auth(id, psk, in, std::span(*auth).first(n - 1)).error(),
              CryptoError::kAuthFailed);
    EXPECT_EQ(verify_psk_auth(id, ascii("another key"), in, *auth).error(),
              CryptoError::kAuthFailed);
    PskAuthInput other_id = in;
    const auto id2 = test::unhex("02000000 6875622e6578616d706c66");
    other_id.id_body = id2;
    EXPECT_EQ(verify_psk_auth(id, psk, other_id, *auth).error(), CryptoError::kAuthFailed);
  }
}

}  // namespace
}  // namespace answerd::crypto
