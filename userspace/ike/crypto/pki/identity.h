// IKE identities and certificates (RFC 7296 3.5, RFC 4945 3.1): is the peer's ID
// payload bound to its certificate, matched as strongSwan does:
//   ID_IPV4_ADDR / ID_IPV6_ADDR   subjectAltName iPAddress, octet-equal
//   ID_FQDN                       subjectAltName dNSName, case-insensitive ("*.x"
//                                 in the certificate matches one or more labels)
//   ID_RFC822_ADDR                subjectAltName rfc822Name, case-insensitive
//   ID_DER_ASN1_DN                subject DN or a directoryName subjectAltName,
//                                 compared RDN by RDN (below)
//   ID_KEY_ID                     subjectKeyIdentifier or SHA-1 of the public key
//   %any (nullopt)                any certificate
// DN comparison (strongSwan's compare_dn): the same number of attributes in the
// same order with equal OIDs; a value "*" in the pattern matches any value; values
// compare case-insensitively when both are PrintableString (or both IA5String for
// emailAddress), octet by octet otherwise. Also the DN parser for ID payloads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ike/crypto/errors.h"
#include "ike/crypto/pki/x509.h"
#include "ike/wire/iana.h"
#include "util/expected.h"

namespace answerd::crypto::pki {

// One AttributeTypeAndValue of a DN, in order (multi-valued RDNs flattened).
// Same fields as config::Rdn, so the SA layer can convert a received DN for
// matching against configured identities.
struct DnAttribute {
  std::string type{};   // short name (C, ST, L, O, OU, CN, E, DC, ...) or the dotted OID
  std::string oid{};    // dotted, e.g. 2.5.4.3
  std::uint8_t tag = 0;  // ASN.1 string type (0x13 PrintableString, 0x0c UTF8String, ...)
  std::string value{};
};

// Parses a DER Name (ID_DER_ASN1_DN data, untrusted). kBadEncoding when broken.
[[nodiscard]] answerd::expected<std::vector<DnAttribute>, CryptoError> parse_dn(Bytes der);
// "C=CH, O=answerd test, CN=ca".
[[nodiscard]] std::string dn_to_string(const std::vector<DnAttribute>& dn);
// strongSwan's DN match; false for unparsable input.
[[nodiscard]] bool dn_matches(Bytes pattern_der, Bytes dn_der);

// An ID payload's type and Identification Data (after the 4-octet ID header).
struct IkeId {
  ike::IdType type = ike::IdType::kFqdn;
  Bytes data{};
};

// kIdentityMismatch unless `id` is bound to `cert` (nullopt is %any: always ok).
[[nodiscard]] answerd::expected<void, CryptoError> check_identity(const Certificate& cert,
                                                                  const std::optional<IkeId>& id);

}  // namespace answerd::crypto::pki
