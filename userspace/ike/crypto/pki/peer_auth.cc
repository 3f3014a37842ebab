// Peer certificate authentication in one call (see peer_auth.h).
#include "ike/crypto/pki/peer_auth.h"

#include <string>

namespace answerd::crypto::pki {

answerd::expected<VerifiedPeer, PkiError> verify_peer(const TrustStore& trust, const PeerCertAuth& in) {
  std::vector<Certificate> certs;
  for (const auto& [encoding, data] : in.certs) {
    if (encoding != ike::CertEncoding::kX509Signature) continue;
    auto c = Certificate::from_der(data);
    if (!c) {
      return answerd::unexpected(PkiError{c.error(), "CERT payload " + std::to_string(certs.size() + 1) +
                                                         ": not a DER X.509 certificate"});
    }
    certs.push_back(std::move(*c));
  }
  if (certs.empty())
    return answerd::unexpected(PkiError{CryptoError::kBadEncoding, "no X.509 certificate in CERT payloads"});
  const Certificate& ee = certs.front();
  auto chain = trust.verify_chain(ee, std::span(certs).subspan(1), in.now);
  if (!chain) return answerd::unexpected(chain.error());
  const CrlSet none;
  if (auto rev = (in.crls != nullptr ? *in.crls : none).check(*chain, in.revocation, in.now); !rev)
    return answerd::unexpected(rev.error());
  if (auto id = check_identity(ee, in.id); !id)
    return answerd::unexpected(PkiError{id.error(), ee.subject_text() + ": peer ID not in certificate"});
  auto sig = verify_auth(ee.public_key(), in.method, in.auth_data, in.signed_octets);
  if (!sig) {
    return answerd::unexpected(PkiError{sig.error(), ee.subject_text() + ": AUTH method " +
                                                         std::to_string(static_cast<int>(in.method)) + ": " +
                                                         std::string(to_string(sig.error()))});
  }
  return VerifiedPeer{.end_entity = ee, .signature = *sig};
}

}  // namespace answerd::crypto::pki
