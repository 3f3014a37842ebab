// Notification data encoders and decoders (see notify_data.h).
#include "ike/wire/notify_data.h"

namespace answerd::ike {

Payload make_invalid_ke_payload(DhGroup accepted) {
  Bytes d;
  ByteWriter(d).u16(static_cast<std::uint16_t>(accepted));
  return make_notify(NotifyType::kInvalidKePayload, std::move(d));
}

std::optional<DhGroup> parse_invalid_ke_payload(std::span<const std::uint8_t> data) {
  ByteReader r(data);
  std::uint16_t g = 0;
  if (data.size() != 2 || !r.u16(g)) return std::nullopt;
  return static_cast<DhGroup>(g);
}

Payload make_auth_lifetime(std::uint32_t seconds) {
  Bytes d;
  ByteWriter(d).u32(seconds);
  return make_notify(NotifyType::kAuthLifetime, std::move(d));
}

std::optional<std::uint32_t> parse_auth_lifetime(std::span<const std::uint8_t> data) {
  ByteReader r(data);
  std::uint32_t s = 0;
  if (data.size() != 4 || !r.u32(s)) return std::nullopt;
  return s;
}

Payload make_signature_hash_algorithms(std::span<const HashAlgorithm> algs) {
  Bytes d;
  ByteWriter w(d);
  for (auto a : algs) w.u16(static_cast<std::uint16_t>(a));
  return make_notify(NotifyType::kSignatureHashAlgorithms, std::move(d));
}

std::optional<std::vector<HashAlgorithm>> parse_signature_hash_algorithms(std::span<const std::uint8_t> data) {
  if (data.size() % 2 != 0) return std::nullopt;
  std::vector<HashAlgorithm> out;
  ByteReader r(data);
  std::uint16_t v = 0;
  while (r.u16(v)) out.push_back(static_cast<HashAlgorithm>(v));
  return out;
}

Payload make_unsupported_critical_payload(PayloadType type) {
  return make_notify(NotifyType::kUnsupportedCriticalPayload, Bytes{static_cast<std::uint8_t>(type)});
}

Payload make_child_sa_notify(NotifyType type, ProtocolId protocol, EspSpi spi) {
  const auto b = spi.bytes();
  return make_payload(NotifyPayload{static_cast<std::uint8_t>(protocol), Bytes(b.begin(), b.end()), type, {}});
}

std::optional<EspSpi> notify_esp_spi(const NotifyPayload& n) {
  if (n.spi.size() != EspSpi::kSize) return std::nullopt;
  return EspSpi::from_wire(std::span<const std::uint8_t, EspSpi::kSize>(n.spi.data(), EspSpi::kSize));
}

}  // namespace answerd::ike
