// PSK AUTH (RFC 7296 2.15); see psk_auth.h.
#include "ike/crypto/psk_auth.h"

#include <sodium.h>

#include <string_view>

#include "ike/crypto/transforms.h"

namespace answerd::crypto {

namespace {
constexpr std::string_view kKeyPad = "Key Pad for IKEv2";  // 17 octets, no NUL
}

answerd::expected<std::vector<std::uint8_t>, CryptoError> psk_auth(ike::PrfId prf_id, Bytes psk,
                                                                   const PskAuthInput& in) {
  const std::size_t len = prf_output_size(prf_id);
  if (len == 0) return answerd::unexpected(CryptoError::kUnsupported);
  // MACedIDFor{I,R} = prf(SK_p, RestOfIDPayload)
  std::vector<std::uint8_t> maced_id(len);
  auto r = prf(prf_id, in.sk_p, {in.id_body}, maced_id);
  if (!r) return answerd::unexpected(r.error());
  const Bytes pad(reinterpret_cast<const std::uint8_t*>(kKeyPad.data()), kKeyPad.size());
  auto key = prf_secret(prf_id, psk, {pad});
  if (!key) return answerd::unexpected(key.error());
  std::vector<std::uint8_t> auth(len);
  r = prf(prf_id, key->view(), {in.real_message, in.peer_nonce, maced_id}, auth);
  if (!r) return answerd::unexpected(r.error());
  return auth;
}

answerd::expected<void, CryptoError> verify_psk_auth(ike::PrfId prf_id, Bytes psk,
                                                     const PskAuthInput& in, Bytes received) {
  auto expected_auth = psk_auth(prf_id, psk, in);
  if (!expected_auth) return answerd::unexpected(expected_auth.error());
  if (received.size() != expected_auth->size() ||
      sodium_memcmp(received.data(), expected_auth->data(), received.size()) != 0)
    return answerd::unexpected(CryptoError::kAuthFailed);
  return {};
}

}  // namespace answerd::crypto
