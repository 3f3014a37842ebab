// Pre-shared key AUTH payload values (RFC 7296 2.15), pure crypto:
//   AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets> )
//   SignedOctets = RealMessage | NonceData (of the peer) | prf(SK_p, RestOfIDPayload)
// where RealMessage is the whole IKE_SA_INIT message the signer sent, NonceData is
// the other side's Nonce payload data, SK_p is the signer's SK_pi / SK_pr and
// RestOfIDPayload is the signer's ID payload body after the generic header
// (ID Type | 3 reserved octets | Identification Data).
//
// The responder checks the initiator's AUTH with (IKE_SA_INIT request, Nr, SK_pi,
// IDi body) and builds its own with (IKE_SA_INIT response, Ni, SK_pr, IDr body).
#pragma once

#include <cstdint>
#include <vector>

#include "ike/crypto/errors.h"
#include "ike/crypto/prf.h"
#include "ike/wire/iana.h"
#include "util/expected.h"

namespace answerd::crypto {

struct PskAuthInput {
  Bytes real_message;  // the signer's IKE_SA_INIT message, header included
  Bytes peer_nonce;    // the other side's Nonce data
  Bytes sk_p;          // signer's SK_pi or SK_pr
  Bytes id_body;       // signer's ID payload minus the 4-byte generic header
};

// The AUTH Authentication Data (prf_output_size(prf) bytes) for method
// Shared Key Message Integrity Code (2).
[[nodiscard]] answerd::expected<std::vector<std::uint8_t>, CryptoError> psk_auth(
    ike::PrfId prf, Bytes psk, const PskAuthInput& in);

// Recomputes and compares in constant time: kAuthFailed on mismatch (also for a
// received value of the wrong length).
[[nodiscard]] answerd::expected<void, CryptoError> verify_psk_auth(ike::PrfId prf, Bytes psk,
                                                                   const PskAuthInput& in,
                                                                   Bytes received);

}  // namespace answerd::crypto
