// IKEv2 key derivation: SKEYSEED and SK_* for a new IKE SA (RFC 7296 2.14), SKEYSEED
// for a rekeyed IKE SA (2.18) and Child SA KEYMAT (2.17). Key sizes come from the
// negotiated transforms (transforms.h). All outputs are SecretBytes.
#pragma once

#include <cstdint>

#include "ike/crypto/errors.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/secret_bytes.h"
#include "ike/wire/iana.h"
#include "ike/wire/types.h"
#include "util/expected.h"

namespace answerd::crypto {

// The IKE SA's negotiated transforms. For AEAD encryption (AES-GCM-16,
// ChaCha20-Poly1305) integ must be IntegId::kNone and SK_ai/SK_ar are empty.
struct IkeSuite {
  ike::EncrId encr = ike::EncrId::kAesGcm16;
  std::uint16_t encr_key_bits = 256;  // Key Length attribute (0 for ChaCha20-Poly1305)
  ike::PrfId prf = ike::PrfId::kHmacSha2_256;
  ike::IntegId integ = ike::IntegId::kNone;
};

struct IkeKeys {
  SecretBytes sk_d;
  SecretBytes sk_ai, sk_ar;  // empty for AEAD
  SecretBytes sk_ei, sk_er;  // cipher key | salt for AEAD (RFC 5282 7.1, RFC 7634 2)
  SecretBytes sk_pi, sk_pr;
};

// RFC 7296 2.14: SKEYSEED = prf(Ni | Nr, g^ir). Ni and Nr are the nonce payload
// data (without payload headers); g^ir is KeyExchange::shared_secret().
[[nodiscard]] answerd::expected<SecretBytes, CryptoError> skeyseed(ike::PrfId prf, Bytes ni,
                                                                   Bytes nr, Bytes g_ir);

// RFC 7296 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) where prf is the
// OLD IKE SA's PRF; the new SA's keys then come from derive_ike_keys with the NEW
// suite, the new nonces and the new SPIs.
[[nodiscard]] answerd::expected<SecretBytes, CryptoError> rekey_skeyseed(ike::PrfId old_prf,
                                                                         Bytes sk_d_old,
                                                                         Bytes g_ir_new, Bytes ni,
                                                                         Bytes nr);

// RFC 7296 2.14: {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
//   = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
[[nodiscard]] answerd::expected<IkeKeys, CryptoError> derive_ike_keys(const IkeSuite& suite,
                                                                      Bytes skeyseed, Bytes ni,
                                                                      Bytes nr, ike::IkeSpi spi_i,
                                                                      ike::IkeSpi spi_r);

// The Child SA's ESP transforms (integ kNone for AES-GCM / ChaCha20-Poly1305).
struct ChildSuite {
  ike::EncrId encr = ike::EncrId::kAesGcm16;
  std::uint16_t encr_key_bits = 256;
  ike::IntegId integ = ike::IntegId::kNone;
};

// ESP keys in the order the kernel wants them: encryption key (with the 4-byte salt
// for AEAD, as XFRM's rfc4106(gcm(aes)) / rfc7539esp(chacha20,poly1305) take it)
// and integrity key (empty for AEAD), per direction.
struct ChildKeys {
  SecretBytes encr_i2r, integ_i2r;  // initiator -> responder: our inbound SA
  SecretBytes encr_r2i, integ_r2i;  // responder -> initiator: our outbound SA
};

// RFC 7296 2.17: KEYMAT = prf+(SK_d, Ni | Nr), or prf+(SK_d, g^ir (new) | Ni | Nr)
// when the CREATE_CHILD_SA exchange carried KE payloads (pass g_ir empty otherwise).
// Taken in order: encr i->r, integ i->r, encr r->i, integ r->i. For the Child SA of
// IKE_AUTH, Ni/Nr are the IKE_SA_INIT nonces; for CREATE_CHILD_SA, that exchange's.
[[nodiscard]] answerd::expected<ChildKeys, CryptoError> derive_child_keys(ike::PrfId prf,
                                                                          Bytes sk_d,
                                                                          const ChildSuite& suite,
                                                                          Bytes g_ir, Bytes ni,
                                                                          Bytes nr);

}  // namespace answerd::crypto
