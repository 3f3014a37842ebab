// IKE header (RFC 7296 3.1), generic payload header and chaining (RFC 7296 3.2),
// whole-message decoding and encoding. Body codecs are in codec_*.cpp.
#include "ike/wire/message.h"

#include <string>

#include "ike/wire/codec.h"
#include "ike/wire/names.h"

namespace answerd::ike {

std::string ParseError::to_string() const {
  std::string s = ike::to_string(notify);
  if (notify == NotifyType::kUnsupportedCriticalPayload)
    s += " (" + ike::to_string(static_cast<PayloadType>(detail)) + ")";
  return s + " at offset " + std::to_string(offset) + ": " + message;
}

ParseResult<Header> parse_header(std::span<const std::uint8_t> datagram) {
  ByteReader r(datagram);
  Header h;
  std::uint64_t spi_i = 0, spi_r = 0;
  std::uint8_t next = 0, version = 0, exchange = 0;
  std::uint32_t mid = 0;
  if (!r.u64(spi_i) || !r.u64(spi_r) || !r.u8(next) || !r.u8(version) || !r.u8(exchange) ||
      !r.u8(h.flags) || !r.u32(mid) || !r.u32(h.length))
    return syntax_error(0, "datagram of " + std::to_string(datagram.size()) + " octets is shorter than the IKE header");
  h.spi_i = IkeSpi(spi_i);
  h.spi_r = IkeSpi(spi_r);
  h.next_payload = static_cast<PayloadType>(next);
  h.major_version = version >> 4;
  h.minor_version = version & 0x0f;
  h.exchange = static_cast<ExchangeType>(exchange);
  h.message_id = MessageId(mid);
  if (h.major_version != 2)
    return answerd::unexpected(ParseError{NotifyType::kInvalidMajorVersion, h.major_version, 17,
                                          "major version " + std::to_string(h.major_version)});
  if (h.length != datagram.size())
    return syntax_error(24, "header length " + std::to_string(h.length) + " differs from datagram size " +
                                std::to_string(datagram.size()));
  return h;
}

ParseResult<std::vector<Payload>> parse_payload_chain(PayloadType first, std::span<const std::uint8_t> data,
                                                      std::size_t base_offset) {
  std::vector<Payload> out;
  ByteReader r(data, base_offset);
  PayloadType type = first;
  while (type != PayloadType::kNone) {
    const std::size_t at = r.offset();
    std::uint8_t next = 0, flags = 0;
    std::uint16_t len = 0;
    if (!r.u8(next) || !r.u8(flags) || !r.u16(len))
      return syntax_error(at, to_string(type) + " payload header truncated");
    if (len < 4 || len - 4u > r.remaining())
      return syntax_error(at + 2, to_string(type) + " payload length " + std::to_string(len) + " inconsistent with " +
                                      std::to_string(r.remaining() + 4) + " octets left");
    std::span<const std::uint8_t> body;
    if (!r.span(len - 4u, body)) return syntax_error(at, "payload truncated");
    const bool critical = (flags & 0x80) != 0;
    if (!detail::is_known_payload(type) && critical)
      return answerd::unexpected(ParseError{NotifyType::kUnsupportedCriticalPayload, static_cast<std::uint8_t>(type),
                                            at, "critical payload type " + std::to_string(static_cast<unsigned>(type))});
    auto b = detail::parse_body(type, static_cast<PayloadType>(next), body, at + 4);
    if (!b) return answerd::unexpected(b.error());
    out.push_back(Payload{type, critical, std::move(*b)});
    if (type == PayloadType::kSk || type == PayloadType::kSkf) {
      // RFC 7296 3.14: SK is the last payload; its Next Payload is the first inner one.
      if (!r.empty()) return syntax_error(r.offset(), "octets after the encrypted payload");
      return out;
    }
    type = static_cast<PayloadType>(next);
  }
  if (!r.empty())
    return syntax_error(r.offset(), std::to_string(r.remaining()) + " octets after the last payload");
  return out;
}

ParseResult<Message> parse_message(std::span<const std::uint8_t> datagram) {
  auto h = parse_header(datagram);
  if (!h) return answerd::unexpected(h.error());
  auto payloads = parse_payload_chain(h->next_payload, datagram.subspan(kIkeHeaderLen), kIkeHeaderLen);
  if (!payloads) return answerd::unexpected(payloads.error());
  return Message{*h, std::move(*payloads)};
}

PayloadType chain_first_type(std::span<const Payload> payloads) {
  return payloads.empty() ? PayloadType::kNone : payloads.front().type;
}

SerializeResult<Bytes> serialize_payload_chain(std::span<const Payload> payloads) {
  Bytes out;
  ByteWriter w(out);
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const Payload& p = payloads[i];
    const bool last = i + 1 == payloads.size();
    if (p.type == PayloadType::kNone || !body_matches_type(p.type, p.body))
      return answerd::unexpected(SerializeError{"payload body does not match type " + to_string(p.type)});
    PayloadType next = last ? PayloadType::kNone : payloads[i + 1].type;
    if (const auto* sk = std::get_if<SkPayload>(&p.body)) next = sk->first_inner;
    if (const auto* skf = std::get_if<SkfPayload>(&p.body)) next = skf->first_inner;
    if ((p.type == PayloadType::kSk || p.type == PayloadType::kSkf) && !last)
      return answerd::unexpected(SerializeError{"encrypted payload must be the last one"});
    const std::size_t start = w.size();
    w.u8(static_cast<std::uint8_t>(next));
    w.u8(p.critical ? 0x80 : 0);
    w.u16(0);
    auto r = detail::write_body(p.body, out);
    if (!r) return answerd::unexpected(r.error());
    const std::size_t len = w.size() - start;
    if (len > 0xffff)
      return answerd::unexpected(SerializeError{to_string(p.type) + " payload of " + std::to_string(len) + " octets"});
    w.patch_u16(start + 2, static_cast<std::uint16_t>(len));
  }
  return out;
}

SerializeResult<Bytes> serialize_body(const PayloadBody& body) {
  Bytes out;
  auto r = detail::write_body(body, out);
  if (!r) return answerd::unexpected(r.error());
  return out;
}

void write_header(const Header& h, PayloadType next, std::uint32_t length, Bytes& out) {
  ByteWriter w(out);
  w.u64(h.spi_i.value());
  w.u64(h.spi_r.value());
  w.u8(static_cast<std::uint8_t>(next));
  w.u8(static_cast<std::uint8_t>((h.major_version << 4) | (h.minor_version & 0x0f)));
  w.u8(static_cast<std::uint8_t>(h.exchange));
  w.u8(h.flags);
  w.u32(h.message_id.value());
  w.u32(length);
}

SerializeResult<Bytes> serialize_message(const Message& m) {
  auto chain = serialize_payload_chain(m.payloads);
  if (!chain) return answerd::unexpected(chain.error());
  const std::size_t total = kIkeHeaderLen + chain->size();
  if (total > 0xffffffffu) return answerd::unexpected(SerializeError{"message too large"});
  Bytes out;
  out.reserve(total);
  write_header(m.header, chain_first_type(m.payloads), static_cast<std::uint32_t>(total), out);
  out.insert(out.end(), chain->begin(), chain->end());
  return out;
}

}  // namespace answerd::ike
