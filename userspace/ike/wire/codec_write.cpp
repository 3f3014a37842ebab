// Encoding of each payload body (RFC 7296 3.3-3.16, RFC 7383 2.5); the inverse of
// codec_parse.cpp. Sizes that do not fit their fields are SerializeErrors.
#include <string>
#include <type_traits>

#include "ike/wire/codec.h"

namespace answerd::ike::detail {
namespace {

using Result = SerializeResult<bool>;

answerd::unexpected<SerializeError> too_big(const char* what, std::size_t n) {
  return answerd::unexpected(SerializeError{std::string(what) + " too large (" + std::to_string(n) + ")"});
}

Result write_transform(const Transform& t, bool last, ByteWriter& w) {
  const std::size_t start = w.size();
  w.u8(last ? 0 : 3);
  w.u8(0);
  w.u16(0);  // length, patched below
  w.u8(static_cast<std::uint8_t>(t.type));
  w.u8(0);
  w.u16(t.id);
  for (const auto& a : t.attributes) {
    if (a.tv) {
      w.u16(static_cast<std::uint16_t>(0x8000 | (a.type & 0x7fff)));
      w.u16(a.tv_value);
    } else {
      if (a.tlv_value.size() > 0xffff) return too_big("transform attribute", a.tlv_value.size());
      w.u16(a.type & 0x7fff);
      w.u16(static_cast<std::uint16_t>(a.tlv_value.size()));
      w.bytes(a.tlv_value);
    }
  }
  const std::size_t len = w.size() - start;
  if (len > 0xffff) return too_big("transform", len);
  w.patch_u16(start + 2, static_cast<std::uint16_t>(len));
  return true;
}

Result write_proposal(const Proposal& p, bool last, ByteWriter& w) {
  if (p.transforms.size() > 0xff) return too_big("transform count", p.transforms.size());
  if (p.spi.size() > 0xff) return too_big("proposal SPI", p.spi.size());
  const std::size_t start = w.size();
  w.u8(last ? 0 : 2);
  w.u8(0);
  w.u16(0);
  w.u8(p.number);
  w.u8(static_cast<std::uint8_t>(p.protocol));
  w.u8(static_cast<std::uint8_t>(p.spi.size()));
  w.u8(static_cast<std::uint8_t>(p.transforms.size()));
  w.bytes(p.spi);
  for (std::size_t i = 0; i < p.transforms.size(); ++i) {
    auto r = write_transform(p.transforms[i], i + 1 == p.transforms.size(), w);
    if (!r) return r;
  }
  const std::size_t len = w.size() - start;
  if (len > 0xffff) return too_big("proposal", len);
  w.patch_u16(start + 2, static_cast<std::uint16_t>(len));
  return true;
}

Result write(const SaPayload& sa, ByteWriter& w) {
  for (std::size_t i = 0; i < sa.proposals.size(); ++i) {
    auto r = write_proposal(sa.proposals[i], i + 1 == sa.proposals.size(), w);
    if (!r) return r;
  }
  return true;
}
Result write(const KePayload& ke, ByteWriter& w) {
  w.u16(static_cast<std::uint16_t>(ke.group));
  w.u16(0);
  w.bytes(ke.data);
  return true;
}
Result write(const IdPayload& id, ByteWriter& w) {
  w.u8(static_cast<std::uint8_t>(id.id_type));
  w.zeros(3);
  w.bytes(id.data);
  return true;
}
Result write(const CertPayload& c, ByteWriter& w) {
  w.u8(static_cast<std::uint8_t>(c.encoding));
  w.bytes(c.data);
  return true;
}
Result write(const AuthPayload& a, ByteWriter& w) {
  w.u8(static_cast<std::uint8_t>(a.method));
  w.zeros(3);
  w.bytes(a.data);
  return true;
}
Result write(const NoncePayload& n, ByteWriter& w) {
  w.bytes(n.data);
  return true;
}
Result write(const NotifyPayload& n, ByteWriter& w) {
  if (n.spi.size() > 0xff) return too_big("notify SPI", n.spi.size());
  w.u8(n.protocol);
  w.u8(static_cast<std::uint8_t>(n.spi.size()));
  w.u16(static_cast<std::uint16_t>(n.type));
  w.bytes(n.spi);
  w.bytes(n.data);
  return true;
}
Result write(const DeletePayload& d, ByteWriter& w) {
  if (d.spis.size() > 0xffff) return too_big("delete SPI count", d.spis.size());
  w.u8(static_cast<std::uint8_t>(d.protocol));
  w.u8(d.spi_size);
  w.u16(static_cast<std::uint16_t>(d.spis.size()));
  for (const auto& s : d.spis) {
    if (s.size() != d.spi_size) return answerd::unexpected(SerializeError{"delete SPI size mismatch"});
    w.bytes(s);
  }
  return true;
}
Result write(const VendorIdPayload& v, ByteWriter& w) {
  w.bytes(v.data);
  return true;
}
Result write(const TsPayload& p, ByteWriter& w) {
  if (p.selectors.size() > 0xff) return too_big("selector count", p.selectors.size());
  w.u8(static_cast<std::uint8_t>(p.selectors.size()));
  w.zeros(3);
  for (const auto& ts : p.selectors) {
    const bool known = ts.ts_type == TsType::kIpv4AddrRange || ts.ts_type == TsType::kIpv6AddrRange;
    const std::size_t alen = ts.ts_type == TsType::kIpv4AddrRange ? 4 : 16;
    if (known && (ts.start_addr.size() != alen || ts.end_addr.size() != alen))
      return answerd::unexpected(SerializeError{"traffic selector address size mismatch"});
    const std::size_t len = known ? 8 + 2 * alen : 4 + ts.raw.size();
    if (len > 0xffff) return too_big("traffic selector", len);
    w.u8(static_cast<std::uint8_t>(ts.ts_type));
    w.u8(ts.ip_protocol);
    w.u16(static_cast<std::uint16_t>(len));
    if (!known) {
      w.bytes(ts.raw);
      continue;
    }
    w.u16(ts.start_port);
    w.u16(ts.end_port);
    w.bytes(ts.start_addr);
    w.bytes(ts.end_addr);
  }
  return true;
}
Result write(const SkPayload& sk, ByteWriter& w) {
  w.bytes(sk.encrypted);
  return true;
}
Result write(const SkfPayload& f, ByteWriter& w) {
  w.u16(f.fragment_number);
  w.u16(f.total_fragments);
  w.bytes(f.encrypted);
  return true;
}
Result write(const CpPayload& cp, ByteWriter& w) {
  w.u8(static_cast<std::uint8_t>(cp.cfg_type));
  w.zeros(3);
  for (const auto& a : cp.attributes) {
    if (a.value.size() > 0xffff) return too_big("configuration attribute", a.value.size());
    w.u16(a.type & 0x7fff);
    w.u16(static_cast<std::uint16_t>(a.value.size()));
    w.bytes(a.value);
  }
  return true;
}
Result write(const EapPayload& e, ByteWriter& w) {
  w.bytes(e.message);
  return true;
}
Result write(const UnknownPayload& u, ByteWriter& w) {
  w.bytes(u.body);
  return true;
}

}  // namespace

SerializeResult<bool> write_body(const PayloadBody& body, Bytes& out) {
  ByteWriter w(out);
  return std::visit([&w](const auto& b) { return write(b, w); }, body);
}

}  // namespace answerd::ike::detail
