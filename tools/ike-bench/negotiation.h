// ike-bench: one IKEv2 negotiation seen from the initiator, as a pure state machine
// (bytes in, bytes out, time passed in). It never touches a socket, so the loop in
// runner.h drives thousands of them and the unit tests drive one directly.
//
//   IKE_SA_INIT { HDR, SAi1, KEi, Ni, N(NAT_DETECTION_*), N(FRAGMENTATION_SUPPORTED) } -->
//     <-- { N(COOKIE) }            : resend with the cookie first (RFC 7296 2.6)
//     <-- { N(INVALID_KE_PAYLOAD) }: resend with the requested group (RFC 7296 1.3)
//     <-- { SAr1, KEr, Nr, ... }   : derive SKEYSEED and SK_* (RFC 7296 2.14)
//   IKE_AUTH { HDR, SK { IDi, N(INITIAL_CONTACT), IDr, AUTH, [SAi2, TSi, TSr] } } -->
//     SAi2/TSi/TSr omitted when childless and the responder sent
//     CHILDLESS_IKEV2_SUPPORTED (RFC 6023).
//   optional INFORMATIONAL { SK { D(IKE) } } --> (RFC 7296 1.4.1)
// Error notifies of a response end the negotiation, named as in the IANA registry.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/address.h"
#include "config/proposal_keywords.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/keymat.h"
#include "ike/crypto/pki/keys.h"
#include "ike/crypto/pki/x509.h"
#include "ike/crypto/random.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/sa/types.h"
#include "ike/wire/payloads.h"

namespace answerd::bench {

using Clock = std::chrono::steady_clock;
using ike::Bytes;

enum class ChildMode { kChild, kChildless };

// Certificate authentication (RFC 7296 2.15 with RFC 7427 signatures): our key and
// certificate, sent in a CERT payload. The responder's AUTH is checked against the
// key of its CERT payload; its chain is not validated (a load tool, not a gateway).
struct CertAuth {
  crypto::pki::PrivateKey key;
  crypto::pki::Certificate cert;
  // CAs named in a CERTREQ (RFC 7296 3.7: SHA-1 of their public keys), which asks
  // the responder to send its certificate (strongSwan's send_cert = ifasked).
  std::vector<crypto::pki::Certificate> cas{};
};

// What every negotiation of a run shares (from the command line).
struct InitiatorConfig {
  config::Proposal ike{};                 // one IKE proposal, each list may hold several IDs
  std::optional<config::Proposal> esp{};  // Child SA proposal (kChild)
  ChildMode child = ChildMode::kChild;
  std::string psk{};
  std::shared_ptr<const CertAuth> cert{};  // set: certificate auth instead of PSK
  std::string remote_id{};                 // IDr sent (FQDN); empty: none
  // TSi / TSr of the Child SA (RFC 7296 2.9); default: our address / everything.
  std::optional<config::AddressRange> tsi{}, tsr{};
  bool send_delete = false;
  // CREATE_CHILD_SA rekeys of the Child SA after IKE_AUTH, each followed by the
  // DELETE of the old Child SA (RFC 7296 1.3.3, 2.8); needs a Child SA.
  int child_rekeys = 0;
  bool verify_responder_auth = true;
  std::chrono::milliseconds retransmit_base{500};
  int retransmit_tries = 5;  // sends per message, each wait doubled (RFC 7296 2.1)
};

enum class State { kIdle, kInit, kAuth, kRekeyChild, kDeleteChild, kDelete, kDone, kFailed };

class Negotiation {
 public:
  Negotiation(const InitiatorConfig& cfg, crypto::Random& rng, std::string local_id, sa::Endpoint self,
              sa::Endpoint peer);

  // Builds the IKE_SA_INIT request; the caller sends it.
  [[nodiscard]] Bytes start(Clock::time_point now);
  // A datagram for our SPIi. Returns what to send next (empty: nothing).
  [[nodiscard]] std::vector<Bytes> on_datagram(std::span<const std::uint8_t> d, Clock::time_point now);
  // Retransmits the outstanding request when due, or fails with "timeout".
  [[nodiscard]] std::vector<Bytes> on_timer(Clock::time_point now);

  [[nodiscard]] State state() const { return state_; }
  [[nodiscard]] bool finished() const { return state_ == State::kDone || state_ == State::kFailed; }
  [[nodiscard]] const std::string& failure() const { return failure_; }
  [[nodiscard]] ike::IkeSpi spi_i() const { return spi_i_; }
  [[nodiscard]] Clock::time_point deadline() const { return deadline_; }
  [[nodiscard]] std::chrono::nanoseconds latency() const { return established_at_ - started_; }
  [[nodiscard]] int retransmissions() const { return retransmissions_; }
  [[nodiscard]] int init_retries() const { return init_retries_; }
  [[nodiscard]] bool child_created() const { return child_created_; }
  [[nodiscard]] int child_rekeys_done() const { return rekeys_done_; }

 private:
  [[nodiscard]] Bytes build_init();
  [[nodiscard]] std::vector<Bytes> handle_init_response(const ike::Message& m, Clock::time_point now);
  [[nodiscard]] std::vector<Bytes> handle_auth_response(std::span<const std::uint8_t> d, Clock::time_point now);
  [[nodiscard]] Bytes build_auth();
  [[nodiscard]] std::optional<ike::AuthPayload> our_auth(const Bytes& idi_body);
  [[nodiscard]] bool responder_auth_ok(const std::vector<ike::Payload>& ps) const;
  [[nodiscard]] std::vector<Bytes> after_auth(Clock::time_point now);
  [[nodiscard]] std::vector<Bytes> handle_informational_or_rekey(std::span<const std::uint8_t> d,
                                                                 Clock::time_point now);
  [[nodiscard]] ike::EspSpi new_esp_spi();
  [[nodiscard]] std::vector<ike::Payload> child_payloads(ike::EspSpi spi) const;
  [[nodiscard]] Bytes encrypted(ike::ExchangeType x, const std::vector<ike::Payload>& ps, std::uint32_t mid);
  [[nodiscard]] std::optional<std::vector<ike::Payload>> open(std::span<const std::uint8_t> d) const;
  std::vector<Bytes> send(Bytes b, Clock::time_point now);
  void fail(std::string why);
  void finish(Clock::time_point now);

  const InitiatorConfig& cfg_;
  crypto::Random& rng_;
  std::string local_id_;
  sa::Endpoint self_, peer_;
  State state_ = State::kIdle;
  std::string failure_;
  ike::IkeSpi spi_i_{}, spi_r_{};
  ike::DhGroup group_{};
  Bytes cookie_, ni_, nr_, init_request_, init_response_, outstanding_;
  std::unique_ptr<crypto::KeyExchange> ke_;
  crypto::IkeSuite suite_{};
  crypto::IkeKeys keys_{};
  std::unique_ptr<crypto::SkCipher> to_r_, from_r_;
  std::vector<ike::HashAlgorithm> peer_hashes_;  // SIGNATURE_HASH_ALGORITHMS of the responder
  bool peer_childless_ = false, child_created_ = false;
  Clock::time_point started_{}, established_at_{}, deadline_{};
  std::chrono::milliseconds wait_{};
  int sends_ = 0, retransmissions_ = 0, init_retries_ = 0, rekeys_done_ = 0;
  std::uint32_t mid_ = 0;                      // of the outstanding request
  ike::EspSpi child_spi_{}, old_child_spi_{};  // our inbound ESP SPIs
};

// The IKE SA_INIT offer for a strongSwan-keyword proposal (RFC 7296 3.3).
[[nodiscard]] ike::SaPayload ike_offer(const config::Proposal& p);
// The ESP offer with our inbound SPI (RFC 7296 3.3.1).
[[nodiscard]] ike::SaPayload esp_offer(const config::Proposal& p, ike::EspSpi spi);
// Which IKE suite the responder chose from its SAr1; error text when unusable.
[[nodiscard]] expected<crypto::IkeSuite, std::string> chosen_suite(const ike::SaPayload& sa);

}  // namespace answerd::bench
