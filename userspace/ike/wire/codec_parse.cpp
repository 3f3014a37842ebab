// Decoding of each payload body (RFC 7296 3.3-3.16, RFC 7383 2.5). Every length,
// count and substructure size is checked against what is actually there.
#include <string>

#include "ike/wire/codec.h"
#include "ike/wire/names.h"

namespace answerd::ike::detail {
namespace {

using Span = std::span<const std::uint8_t>;

answerd::unexpected<ParseError> truncated(const ByteReader& r, const char* what) {
  return syntax_error(r.offset(), std::string(what) + " truncated");
}

// RFC 7296 3.3.5 Transform Attributes.
ParseResult<TransformAttribute> parse_attribute(ByteReader& r) {
  std::uint16_t type = 0, v = 0;
  if (!r.u16(type) || !r.u16(v)) return truncated(r, "transform attribute");
  TransformAttribute a;
  a.type = type & 0x7fff;
  a.tv = (type & 0x8000) != 0;
  if (a.tv) {
    a.tv_value = v;
  } else if (!r.bytes(v, a.tlv_value)) {
    return syntax_error(r.offset(), "transform attribute length " + std::to_string(v) +
                                        " exceeds the transform");
  }
  return a;
}

// RFC 7296 3.3.2 Transform Substructure.
ParseResult<Transform> parse_transform(ByteReader& r, bool& last) {
  const std::size_t at = r.offset();
  std::uint8_t more = 0, reserved = 0, type = 0, reserved2 = 0;
  std::uint16_t len = 0, id = 0;
  if (!r.u8(more) || !r.u8(reserved) || !r.u16(len)) return truncated(r, "transform");
  if (more != 0 && more != 3) return syntax_error(at, "transform: Last Substruc " + std::to_string(more) + " is not 0 or 3");
  if (len < 8 || len - 4u > r.remaining())
    return syntax_error(at, "transform length " + std::to_string(len) + " inconsistent");
  Span body;
  if (!r.span(len - 4u, body)) return truncated(r, "transform");
  ByteReader b(body, at + 4);
  if (!b.u8(type) || !b.u8(reserved2) || !b.u16(id)) return truncated(b, "transform");
  Transform t{static_cast<TransformType>(type), id, {}};
  while (!b.empty()) {
    auto a = parse_attribute(b);
    if (!a) return answerd::unexpected(a.error());
    t.attributes.push_back(std::move(*a));
  }
  last = more == 0;
  return t;
}

// RFC 7296 3.3.1 SPI sizes: IKE 0 or 8, AH/ESP 4.
bool spi_size_ok(ProtocolId p, std::size_t n) {
  switch (p) {
    case ProtocolId::kIke: return n == 0 || n == 8;
    case ProtocolId::kAh:
    case ProtocolId::kEsp: return n == 4;
  }
  return true;
}

// RFC 7296 3.3.1 Proposal Substructure.
ParseResult<Proposal> parse_proposal(ByteReader& r, bool& last) {
  const std::size_t at = r.offset();
  std::uint8_t more = 0, reserved = 0, num = 0, proto = 0, spi_size = 0, ntrans = 0;
  std::uint16_t len = 0;
  if (!r.u8(more) || !r.u8(reserved) || !r.u16(len)) return truncated(r, "proposal");
  if (more != 0 && more != 2) return syntax_error(at, "proposal: Last Substruc " + std::to_string(more) + " is not 0 or 2");
  if (len < 8 || len - 4u > r.remaining())
    return syntax_error(at, "proposal length " + std::to_string(len) + " inconsistent");
  Span body;
  if (!r.span(len - 4u, body)) return truncated(r, "proposal");
  ByteReader b(body, at + 4);
  if (!b.u8(num) || !b.u8(proto) || !b.u8(spi_size) || !b.u8(ntrans)) return truncated(b, "proposal");
  Proposal p{num, static_cast<ProtocolId>(proto), {}, {}};
  if (!spi_size_ok(p.protocol, spi_size))
    return syntax_error(at + 6, "proposal: SPI size " + std::to_string(spi_size) + " invalid for " + to_string(p.protocol));
  if (!b.bytes(spi_size, p.spi)) return truncated(b, "proposal SPI");
  bool tlast = false;
  while (!b.empty() && !tlast) {
    auto t = parse_transform(b, tlast);
    if (!t) return answerd::unexpected(t.error());
    p.transforms.push_back(std::move(*t));
  }
  if (!b.empty() || !tlast)
    return syntax_error(b.offset(), "proposal: transforms do not end with the proposal");
  if (p.transforms.size() != ntrans)
    return syntax_error(at + 7, "proposal: " + std::to_string(ntrans) + " transforms announced, " +
                                    std::to_string(p.transforms.size()) + " present");
  last = more == 0;
  return p;
}

// RFC 7296 3.3 Security Association payload.
ParseResult<PayloadBody> parse_sa(ByteReader& r) {
  SaPayload sa;
  bool last = false;
  while (!r.empty() && !last) {
    auto p = parse_proposal(r, last);
    if (!p) return answerd::unexpected(p.error());
    sa.proposals.push_back(std::move(*p));
  }
  if (sa.proposals.empty()) return syntax_error(r.offset(), "SA payload without proposals");
  if (!r.empty() || !last) return syntax_error(r.offset(), "SA: proposals do not end with the payload");
  return sa;
}

// RFC 7296 3.4 Key Exchange payload.
ParseResult<PayloadBody> parse_ke(ByteReader& r) {
  std::uint16_t group = 0, reserved = 0;
  if (!r.u16(group) || !r.u16(reserved)) return truncated(r, "KE payload");
  if (r.empty()) return syntax_error(r.offset(), "KE payload without key exchange data");
  return KePayload{static_cast<DhGroup>(group), r.rest()};
}

// RFC 7296 3.5 Identification payloads.
ParseResult<PayloadBody> parse_id(ByteReader& r) {
  std::uint8_t type = 0;
  std::span<const std::uint8_t> reserved;
  if (!r.u8(type) || !r.span(3, reserved)) return truncated(r, "ID payload");
  IdPayload id{static_cast<IdType>(type), r.rest()};
  const auto n = id.data.size();
  if ((id.id_type == IdType::kIpv4Addr && n != 4) || (id.id_type == IdType::kIpv6Addr && n != 16))
    return syntax_error(r.offset(), "ID payload: " + to_string(id.id_type) + " of " + std::to_string(n) + " octets");
  return id;
}

// RFC 7296 3.6 / 3.7 Certificate and Certificate Request payloads.
ParseResult<PayloadBody> parse_cert(ByteReader& r) {
  std::uint8_t enc = 0;
  if (!r.u8(enc)) return truncated(r, "CERT payload");
  return CertPayload{static_cast<CertEncoding>(enc), r.rest()};
}

// RFC 7296 3.8 Authentication payload.
ParseResult<PayloadBody> parse_auth(ByteReader& r) {
  std::uint8_t method = 0;
  std::span<const std::uint8_t> reserved;
  if (!r.u8(method) || !r.span(3, reserved)) return truncated(r, "AUTH payload");
  if (r.empty()) return syntax_error(r.offset(), "AUTH payload without authentication data");
  return AuthPayload{static_cast<AuthMethod>(method), r.rest()};
}

// RFC 7296 3.9 Nonce payload: 16 to 256 octets.
ParseResult<PayloadBody> parse_nonce(ByteReader& r) {
  if (r.remaining() < 16 || r.remaining() > 256)
    return syntax_error(r.offset(), "nonce of " + std::to_string(r.remaining()) + " octets (16..256 allowed)");
  return NoncePayload{r.rest()};
}

// RFC 7296 3.10 Notify payload.
ParseResult<PayloadBody> parse_notify(ByteReader& r) {
  std::uint8_t proto = 0, spi_size = 0;
  std::uint16_t type = 0;
  if (!r.u8(proto) || !r.u8(spi_size) || !r.u16(type)) return truncated(r, "Notify payload");
  NotifyPayload n{proto, {}, static_cast<NotifyType>(type), {}};
  if (!r.bytes(spi_size, n.spi)) return syntax_error(r.offset(), "Notify: SPI size " + std::to_string(spi_size) + " exceeds the payload");
  n.data = r.rest();
  return n;
}

// RFC 7296 3.11 Delete payload.
ParseResult<PayloadBody> parse_delete(ByteReader& r) {
  std::uint8_t proto = 0, spi_size = 0;
  std::uint16_t count = 0;
  if (!r.u8(proto) || !r.u8(spi_size) || !r.u16(count)) return truncated(r, "Delete payload");
  DeletePayload d{static_cast<ProtocolId>(proto), spi_size, {}};
  if (static_cast<std::size_t>(spi_size) * count != r.remaining() || (spi_size == 0 && count != 0))
    return syntax_error(r.offset(), "Delete: " + std::to_string(count) + " SPIs of " + std::to_string(spi_size) +
                                        " octets do not fill " + std::to_string(r.remaining()) + " octets");
  if (!spi_size_ok(d.protocol, spi_size) || (d.protocol == ProtocolId::kIke && spi_size != 0))
    return syntax_error(r.offset(), "Delete: SPI size " + std::to_string(spi_size) + " invalid for " + to_string(d.protocol));
  for (std::uint16_t i = 0; i < count; ++i) {
    Bytes spi;
    if (!r.bytes(spi_size, spi)) return truncated(r, "Delete SPI");
    d.spis.push_back(std::move(spi));
  }
  return d;
}

// RFC 7296 3.13.1 Traffic Selector.
ParseResult<TrafficSelector> parse_selector(ByteReader& r) {
  const std::size_t at = r.offset();
  std::uint8_t type = 0, proto = 0;
  std::uint16_t len = 0;
  if (!r.u8(type) || !r.u8(proto) || !r.u16(len)) return truncated(r, "traffic selector");
  if (len < 4 || len - 4u > r.remaining())
    return syntax_error(at, "traffic selector length " + std::to_string(len) + " inconsistent");
  TrafficSelector ts{static_cast<TsType>(type), proto, 0, 0, {}, {}, {}};
  if (ts.ts_type != TsType::kIpv4AddrRange && ts.ts_type != TsType::kIpv6AddrRange) {
    if (!r.bytes(len - 4u, ts.raw)) return truncated(r, "traffic selector");
    return ts;
  }
  const std::size_t alen = ts.ts_type == TsType::kIpv4AddrRange ? 4 : 16;
  if (len != 8 + 2 * alen)
    return syntax_error(at, "traffic selector length " + std::to_string(len) + " wrong for " + to_string(ts.ts_type));
  if (!r.u16(ts.start_port) || !r.u16(ts.end_port) || !r.bytes(alen, ts.start_addr) || !r.bytes(alen, ts.end_addr))
    return truncated(r, "traffic selector");
  return ts;
}

// RFC 7296 3.13 Traffic Selector payload.
ParseResult<PayloadBody> parse_ts(ByteReader& r) {
  std::uint8_t count = 0;
  std::span<const std::uint8_t> reserved;
  if (!r.u8(count) || !r.span(3, reserved)) return truncated(r, "TS payload");
  if (count == 0) return syntax_error(r.offset(), "TS payload without selectors");
  TsPayload p;
  for (unsigned i = 0; i < count; ++i) {
    auto ts = parse_selector(r);
    if (!ts) return answerd::unexpected(ts.error());
    p.selectors.push_back(std::move(*ts));
  }
  if (!r.empty()) return syntax_error(r.offset(), "TS payload: octets after " + std::to_string(count) + " selectors");
  return p;
}

// RFC 7296 3.15 Configuration payload.
ParseResult<PayloadBody> parse_cp(ByteReader& r) {
  std::uint8_t type = 0;
  std::span<const std::uint8_t> reserved;
  if (!r.u8(type) || !r.span(3, reserved)) return truncated(r, "CP payload");
  CpPayload cp{static_cast<CfgType>(type), {}};
  while (!r.empty()) {
    std::uint16_t at = 0, len = 0;
    CfgAttribute a;
    if (!r.u16(at) || !r.u16(len)) return truncated(r, "configuration attribute");
    a.type = at & 0x7fff;
    if (!r.bytes(len, a.value)) return syntax_error(r.offset(), "configuration attribute length " + std::to_string(len) + " exceeds the payload");
    cp.attributes.push_back(std::move(a));
  }
  return cp;
}

// RFC 7296 3.16 EAP payload: the EAP Length field (RFC 3748 4) covers the body.
ParseResult<PayloadBody> parse_eap(ByteReader& r) {
  const std::size_t at = r.offset();
  Bytes msg = r.rest();
  if (msg.size() < 4) return syntax_error(at, "EAP message shorter than 4 octets");
  const std::size_t len = static_cast<std::size_t>(msg[2] << 8 | msg[3]);
  if (len != msg.size()) return syntax_error(at + 2, "EAP length " + std::to_string(len) + " differs from payload");
  return EapPayload{std::move(msg)};
}

// RFC 7383 2.5 Encrypted Fragment payload.
ParseResult<PayloadBody> parse_skf(ByteReader& r, PayloadType next) {
  SkfPayload f{next, 0, 0, {}};
  if (!r.u16(f.fragment_number) || !r.u16(f.total_fragments)) return truncated(r, "SKF payload");
  if (f.fragment_number == 0 || f.fragment_number > f.total_fragments)
    return syntax_error(r.offset() - 4, "SKF: fragment " + std::to_string(f.fragment_number) + " of " + std::to_string(f.total_fragments));
  f.encrypted = r.rest();
  if (f.encrypted.empty()) return syntax_error(r.offset(), "SKF payload without encrypted data");
  return f;
}

}  // namespace

bool is_known_payload(PayloadType t) {
  const auto v = static_cast<unsigned>(t);
  return (v >= 33 && v <= 48) || t == PayloadType::kSkf;
}

ParseResult<PayloadBody> parse_body(PayloadType type, PayloadType next, std::span<const std::uint8_t> body,
                                    std::size_t offset) {
  ByteReader r(body, offset);
  switch (type) {
    case PayloadType::kSa: return parse_sa(r);
    case PayloadType::kKe: return parse_ke(r);
    case PayloadType::kIdi:
    case PayloadType::kIdr: return parse_id(r);
    case PayloadType::kCert:
    case PayloadType::kCertreq: return parse_cert(r);
    case PayloadType::kAuth: return parse_auth(r);
    case PayloadType::kNonce: return parse_nonce(r);
    case PayloadType::kNotify: return parse_notify(r);
    case PayloadType::kDelete: return parse_delete(r);
    case PayloadType::kVendorId: return VendorIdPayload{r.rest()};
    case PayloadType::kTsi:
    case PayloadType::kTsr: return parse_ts(r);
    case PayloadType::kSk:
      if (r.empty()) return syntax_error(offset, "SK payload without encrypted data");
      return SkPayload{next, r.rest()};
    case PayloadType::kCp: return parse_cp(r);
    case PayloadType::kEap: return parse_eap(r);
    case PayloadType::kSkf: return parse_skf(r, next);
    default: return UnknownPayload{r.rest()};
  }
}

}  // namespace answerd::ike::detail
