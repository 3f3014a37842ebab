// Proposal selection (RFC 7296 2.7, 3.3.6): the responder takes the first of ITS
// configured proposals, in the operator's order, that the initiator offers, and in
// each transform type the first of its own algorithms that the peer lists and the
// crypto suite implements. Also turns a selection back into the single proposal
// the response carries.
#pragma once

#include <optional>
#include <vector>

#include "config/proposal_keywords.h"
#include "ike/crypto/keymat.h"
#include "ike/wire/payloads.h"

namespace answerd::sa {

struct IkeSelection {
  crypto::IkeSuite suite{};
  ike::DhGroup group = ike::DhGroup::kNone;    // our preferred group of the match
  std::vector<ike::DhGroup> acceptable{};      // every group both sides accept
  std::uint8_t number = 1;                     // the peer's proposal number
  ike::Bytes peer_spi{};                       // IKE rekey: the initiator's new SPI
};

// nullopt: NO_PROPOSAL_CHOSEN.
[[nodiscard]] std::optional<IkeSelection> select_ike(const std::vector<config::Proposal>& ours,
                                                     const ike::SaPayload& peer);

struct EspSelection {
  crypto::ChildSuite suite{};
  bool esn = false;
  ike::DhGroup pfs = ike::DhGroup::kNone;  // kNone: no PFS
  std::vector<ike::DhGroup> acceptable{};
  std::uint8_t number = 1;
  ike::EspSpi peer_spi{};  // the initiator's inbound SPI = our outbound
};

// `with_dh`: CREATE_CHILD_SA (PFS groups must match); false in IKE_AUTH, where
// DH transforms are ignored on both sides (RFC 7296 1.2).
[[nodiscard]] std::optional<EspSelection> select_esp(const std::vector<config::Proposal>& ours,
                                                     const ike::SaPayload& peer, bool with_dh);

// The SA payload of the response: one proposal with the chosen transforms.
[[nodiscard]] ike::SaPayload ike_response_sa(const IkeSelection& s, ike::DhGroup group,
                                             ike::Bytes our_spi);
[[nodiscard]] ike::SaPayload esp_response_sa(const EspSelection& s, ike::EspSpi our_spi);

}  // namespace answerd::sa
