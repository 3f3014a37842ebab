// strongSwan proposal keywords ("aes256gcm16-prfsha256-x25519") <-> proposal structs
// whose transform IDs are the IANA registry's (ike/wire/iana.h). One proposal is a
// '-' separated keyword list; a proposal list is comma separated and may contain
// `default`. Rules follow strongSwan's proposal_t checks (RFC 7296 3.3):
//  - IKE: encryption, PRF and DH are mandatory. Without a prf* keyword the PRFs are
//    derived from the integrity algorithms (sha256 -> prfsha256, ...).
//  - AEAD (gcm, ccm, chacha20poly1305) and classic ciphers cannot be mixed; an
//    all-AEAD proposal carries no integrity transform (listed integrity keywords only
//    serve to derive the PRF, as in strongSwan).
//  - Classic ciphers need an integrity algorithm (in ESP too: RFC 8221 forbids
//    unauthenticated ESP, strongSwan would accept it).
//  - ESP: DH groups are the PFS groups of CREATE_CHILD_SA; esn/noesn choose ESN,
//    noesn when absent. prf* keywords are errors in ESP, esn/noesn in IKE.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ike/wire/iana.h"
#include "util/expected.h"

namespace answerd::config {

struct EncrAlg {
  ike::EncrId id = ike::EncrId::kAesCbc;
  std::uint16_t key_bits = 0;  // 0: fixed-length cipher, no Key Length attribute
  friend bool operator==(const EncrAlg&, const EncrAlg&) = default;
};

struct Proposal {
  ike::ProtocolId protocol = ike::ProtocolId::kIke;
  std::vector<EncrAlg> encr{};
  std::vector<ike::IntegId> integ{};  // empty for AEAD
  std::vector<ike::PrfId> prf{};      // IKE only
  std::vector<ike::DhGroup> dh{};     // IKE: KE groups; ESP: PFS groups (may be empty)
  std::vector<ike::EsnId> esn{};      // ESP only
  friend bool operator==(const Proposal&, const Proposal&) = default;
};

[[nodiscard]] bool is_aead(ike::EncrId id);
[[nodiscard]] bool is_aead(const Proposal& p);

// One proposal ("aes128-sha256-modp2048").
[[nodiscard]] expected<Proposal, std::string> parse_ike_proposal(std::string_view s);
[[nodiscard]] expected<Proposal, std::string> parse_esp_proposal(std::string_view s);
// A comma-separated list, `default` expanding to default_*_proposals() in place.
[[nodiscard]] expected<std::vector<Proposal>, std::string> parse_ike_proposals(std::string_view s);
[[nodiscard]] expected<std::vector<Proposal>, std::string> parse_esp_proposals(std::string_view s);

[[nodiscard]] std::vector<Proposal> default_ike_proposals();
[[nodiscard]] std::vector<Proposal> default_esp_proposals();

// strongSwan keyword of each transform ("aes256gcm16", "sha384", "prfsha256",
// "x25519"; the first spelling of the table when there are aliases), and a whole
// proposal in strongSwan syntax; unknown IDs print as "encr<N>", "integ<N>", ...
[[nodiscard]] std::string to_keyword(const EncrAlg& a);
[[nodiscard]] std::string to_keyword(ike::IntegId id);
[[nodiscard]] std::string to_keyword(ike::PrfId id);
[[nodiscard]] std::string to_keyword(ike::DhGroup id);
[[nodiscard]] std::string to_keyword(ike::EsnId id);
[[nodiscard]] std::string to_keyword(const Proposal& p);
[[nodiscard]] std::string to_keyword(const std::vector<Proposal>& list);  // ", " joined

}  // namespace answerd::config
