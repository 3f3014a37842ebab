// Runtime helpers around identities and secrets for the IKE layer:
//  - identity_from_payload(): an IDi/IDr payload (RFC 7296 3.5) as a config Identity,
//    so that it can be matched against `remote.id` patterns with matches();
//  - find_ike_secret(): the pre-shared key for (our id, peer id) with strongSwan's
//    best-match rule (exact id > wildcard > secret without ids).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/identity.h"
#include "ike/wire/iana.h"
#include "util/expected.h"

namespace answerd::config {

// ID_IPV4_ADDR, ID_IPV6_ADDR, ID_FQDN, ID_RFC822_ADDR and ID_KEY_ID. ID_DER_ASN1_DN
// needs an ASN.1 decoder and is an error here (the certificate code matches DNs).
[[nodiscard]] expected<Identity, std::string> identity_from_payload(ike::IdType type,
                                                                    std::span<const std::uint8_t> data);

// The best `secrets.ike<suffix>` for this pair, nullptr if none applies. Each side
// scores 3 for an exact id, 2 for a wildcard match, 1 when the secret has no ids
// (or the id is %any); a secret with ids that match neither side is skipped; the
// highest sum wins, the first in file order on ties.
[[nodiscard]] const Secret* find_ike_secret(const std::vector<Secret>& secrets, const Identity& me,
                                            const Identity& peer);

}  // namespace answerd::config
