// The IKE SA and its Child SAs as the responder keeps them (after strongSwan's
// sa/ike_sa.c and sa/child_sa.c, reduced to what a responder needs): negotiated
// suite and keys, the two SK ciphers, the IKE_SA_INIT octets for AUTH, the
// responder window (RFC 7296 2.3: the last response, all its fragments, for the
// retransmitted request), our own INFORMATIONAL requests (RFC 7296 2.1: one
// outstanding, retransmitted with backoff, the rest queued in order) and the
// fragment reassembly buffer (RFC 7383 2.6).
// State changes go through IkeSaTable::set_state() only.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "ike/crypto/keymat.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/sa/types.h"
#include "ike/wire/payloads.h"
#include "kernel/ipsec.h"

namespace answerd::sa {

enum class IkeState : std::uint8_t {
  kHalfOpen,     // IKE_SA_INIT answered, waiting for IKE_AUTH
  kEstablished,  // authenticated
  kDeleting,     // we sent a DELETE request and wait for the answer
  kDeleted,      // removed from the table (final, logged once)
};
[[nodiscard]] std::string_view to_string(IkeState s);

struct ChildSa {
  std::uint32_t id = 0;
  std::string name{};  // the config child
  ike::EspSpi spi_in{};   // ours (allocated by the dataplane)
  ike::EspSpi spi_out{};  // the peer's
  crypto::ChildSuite suite{};
  ike::DhGroup pfs_group = ike::DhGroup::kNone;  // CREATE_CHILD_SA KE group (RFC 7296 1.3.1); kNone without PFS
  bool esn = false;
  config::Mode mode = config::Mode::kTunnel;
  ike::Reqid reqid{};
  std::vector<ike::TrafficSelector> local_ts{};   // TSr as answered
  std::vector<ike::TrafficSelector> remote_ts{};  // TSi as answered
  std::uint32_t if_id_in = 0, if_id_out = 0;
  kernel::SaId sa_in{}, sa_out{};                 // as installed
  std::vector<kernel::PolicyId> policies{};       // installed for this reqid (empty after a rekey)
  TimePoint installed_at{};
  std::uint64_t life_time_s = 0;
};

// What we last answered: message ID and every datagram (one, or all fragments).
struct CachedResponse {
  ike::MessageId mid{};
  std::vector<std::vector<std::uint8_t>> datagrams{};
};

// Our INFORMATIONAL requests (the only requests answerd sends, DESIGN.md).
enum class RequestKind : std::uint8_t {
  kDeleteIke,    // D(IKE): hard lifetime, terminate, reload, shutdown
  kDeleteChild,  // D(ESP/AH): a Child SA's hard lifetime
  kLiveness,     // empty: dpd_delay of inbound silence (RFC 7296 2.4)
};
[[nodiscard]] std::string_view to_string(RequestKind k);

// The one request of ours the peer has not answered yet (RFC 7296 2.3: without
// SET_WINDOW_SIZE from the peer our window is 1). Retransmits resend the same bytes.
struct OurRequest {
  RequestKind kind = RequestKind::kLiveness;
  ike::MessageId mid{};
  std::vector<std::vector<std::uint8_t>> datagrams{};
  unsigned transmissions = 0;  // first send included
  TimePoint next{};            // the next retransmit, or the give-up after the last one
};
struct QueuedRequest {
  RequestKind kind = RequestKind::kLiveness;
  std::vector<ike::Payload> payloads{};
};

// Encrypted fragments of one request being collected (RFC 7383 2.6).
struct FragmentBuffer {
  ike::MessageId mid{};
  std::uint16_t total = 0;
  ike::PayloadType first_inner = ike::PayloadType::kNone;
  std::map<std::uint16_t, std::vector<std::uint8_t>> plain{};  // decrypted, by number
  [[nodiscard]] bool complete() const { return total != 0 && plain.size() == total; }
};

struct IkeSa {
  std::uint64_t id = 0;  // unique, for `answerctl sa show ID`
  ike::IkeSpi spi_i{}, spi_r{};
  IkeState state = IkeState::kHalfOpen;
  Endpoint local{}, remote{};
  bool nat_local = false, nat_remote = false;  // RFC 7296 2.23 findings
  bool peer_fragmentation = false;             // IKEV2_FRAGMENTATION_SUPPORTED both ways
  const config::Connection* conn = nullptr;    // chosen in IKE_SA_INIT, refined in IKE_AUTH
  crypto::IkeSuite suite{};
  ike::DhGroup group = ike::DhGroup::kNone;
  crypto::IkeKeys keys{};
  std::unique_ptr<crypto::SkCipher> in;   // SK_ei/SK_ai: what the initiator sends
  std::unique_ptr<crypto::SkCipher> out;  // SK_er/SK_ar: what we send
  ike::Bytes init_request{}, init_response{}, ni{}, nr{};
  ike::MessageId next_mid{1};      // next request ID expected from the initiator
  CachedResponse last{};
  FragmentBuffer frags{};
  ike::MessageId our_next_mid{0};         // our side's message ID counter (RFC 7296 2.2)
  std::optional<OurRequest> outstanding{};  // our request waiting for its answer
  std::deque<QueuedRequest> queued{};       // ours, waiting for the window
  TimePoint last_inbound{};                 // last authenticated message from the peer
  std::string local_id{}, remote_id{};
  config::AuthMethod auth = config::AuthMethod::kPsk;
  TimePoint created_at{}, established_at{};
  std::vector<ChildSa> children{};
};

}  // namespace answerd::sa
