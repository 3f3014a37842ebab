// Notification data of the notify types answerd sends or reads, encoded and decoded
// here so that the SA layer never touches their octets:
//   INVALID_KE_PAYLOAD (RFC 7296 3.10.1): the accepted DH group, 2 octets
//   AUTH_LIFETIME (RFC 4478 3): seconds until the peer must reauthenticate, 4 octets
//   SIGNATURE_HASH_ALGORITHMS (RFC 7427 4): list of 2-octet hash algorithm IDs
//   IKEV2_FRAGMENTATION_SUPPORTED (RFC 7383 2.3), INITIAL_CONTACT, ...: empty
//   UNSUPPORTED_CRITICAL_PAYLOAD (RFC 7296 3.10.1): the payload type, 1 octet
// Decoders return nullopt when the data has the wrong size.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ike/wire/payloads.h"

namespace answerd::ike {

[[nodiscard]] Payload make_invalid_ke_payload(DhGroup accepted);
[[nodiscard]] std::optional<DhGroup> parse_invalid_ke_payload(std::span<const std::uint8_t> data);

[[nodiscard]] Payload make_auth_lifetime(std::uint32_t seconds);
[[nodiscard]] std::optional<std::uint32_t> parse_auth_lifetime(std::span<const std::uint8_t> data);

[[nodiscard]] Payload make_signature_hash_algorithms(std::span<const HashAlgorithm> algs);
[[nodiscard]] std::optional<std::vector<HashAlgorithm>> parse_signature_hash_algorithms(
    std::span<const std::uint8_t> data);

[[nodiscard]] Payload make_unsupported_critical_payload(PayloadType type);

// N(REKEY_SA) / N(CHILD_SA_NOT_FOUND) / N(INVALID_SELECTORS) name a Child SA by
// protocol and 4-octet SPI (RFC 7296 3.10).
[[nodiscard]] Payload make_child_sa_notify(NotifyType type, ProtocolId protocol, EspSpi spi);
[[nodiscard]] std::optional<EspSpi> notify_esp_spi(const NotifyPayload& n);

}  // namespace answerd::ike
