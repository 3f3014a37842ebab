// Which payloads each IKEv2 message may or must carry (RFC 7296 sections 1.2-1.5,
// 1.7 and 2.6-2.23), as one table per exchange and direction, checked by one
// function (after strongSwan's encoding/message.c message rules). For encrypted
// exchanges the outer message must carry exactly one SK or SKF payload and the
// table applies to the decrypted inner payloads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "ike/wire/error.h"
#include "ike/wire/payloads.h"

namespace answerd::ike {

struct PayloadRule {
  PayloadType type;
  std::uint8_t min;
  std::uint8_t max;  // kMany for unlimited
  // When a payload of this type is present and is an error notify (or COOKIE),
  // the minimums of the other rules do not apply (e.g. an IKE_SA_INIT response
  // that carries only INVALID_KE_PAYLOAD).
  bool sufficient;
};
inline constexpr std::uint8_t kMany = 0xff;

struct MessageRule {
  ExchangeType exchange;
  bool response;
  bool encrypted;  // rules apply to the inner payloads of SK/SKF
  std::span<const PayloadRule> payloads;
};

// The rule for an exchange and direction; nullopt for exchanges answerd does not
// handle (IKE_SESSION_RESUME, G-IKEv2, ...).
[[nodiscard]] std::optional<MessageRule> find_rule(ExchangeType exchange, bool response);

// Checks a message's payloads against its rule. `payloads` are the outer payloads
// (for an encrypted exchange: exactly one SK/SKF is required) when `inner` is
// false, the decrypted inner payloads when `inner` is true. Unknown non-critical
// payloads are ignored. Failures are INVALID_SYNTAX naming the payload.
[[nodiscard]] ParseResult<void> check_payload_rules(ExchangeType exchange, bool response,
                                                    std::span<const Payload> payloads, bool inner);

}  // namespace answerd::ike
