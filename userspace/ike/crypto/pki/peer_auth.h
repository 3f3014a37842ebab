// The whole check of a peer's certificate authentication in IKE_AUTH (RFC 7296
// 2.15, 3.6, 3.8; RFC 7427), in the order strongSwan applies it: decode the CERT
// payloads (encoding 4; the first is the end entity, the others intermediates),
// validate the chain against our CAs at `now`, check every chain certificate but
// the trust anchor against the loaded CRLs (RFC 5280 6.3) under the round's
// revocation policy, check that the peer's ID is bound to
// the end-entity certificate, then verify the AUTH signature over the signed
// octets with its key. Any failure means AUTHENTICATION_FAILED; the error says why
// for the log. Our side is choose_signature + sign_auth (signature.h) and
// select_certs (trust.h).
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <vector>

#include "ike/crypto/pki/identity.h"
#include "ike/crypto/pki/signature.h"
#include "ike/crypto/pki/trust.h"
#include "ike/crypto/pki/x509.h"
#include "ike/wire/iana.h"
#include "util/expected.h"

namespace answerd::crypto::pki {

struct PeerCertAuth {
  // CERT payloads as received: (Cert Encoding, Certificate Data). Encodings other
  // than 4 are ignored (RFC 7296 3.6: a peer may send several kinds).
  std::span<const std::pair<ike::CertEncoding, Bytes>> certs{};
  std::optional<IkeId> id{};  // the peer's IDi (nullopt: do not bind, %any)
  ike::AuthMethod method = ike::AuthMethod::kDigitalSignature;
  Bytes auth_data{};          // AUTH payload data after the 4-octet header
  Bytes signed_octets{};      // signed_octets() from the peer's side
  std::chrono::system_clock::time_point now{};
  const CrlSet* crls = nullptr;  // nullptr: no CRLs (every policy but strict passes)
  RevocationPolicy revocation = RevocationPolicy::kRelaxed;
};

struct VerifiedPeer {
  Certificate end_entity;
  SignatureParams signature{};
};

// kBadEncoding (no or undecodable end-entity CERT), kCertificateUntrusted,
// kCertificateExpired, kIdentityMismatch, kKeyMismatch, kUnsupported, kAuthFailed.
[[nodiscard]] answerd::expected<VerifiedPeer, PkiError> verify_peer(const TrustStore& trust,
                                                                    const PeerCertAuth& in);

}  // namespace answerd::crypto::pki
