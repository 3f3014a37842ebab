// Frame builder for the XDP tests; see packet_builder.h.
#include "packet_builder.h"

#include <arpa/inet.h>

#include <cstring>

namespace answerd::test {
namespace {

void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}
void put64(Bytes& b, std::uint64_t v) {
  put32(b, static_cast<std::uint32_t>(v >> 32));
  put32(b, static_cast<std::uint32_t>(v));
}
void put_addr(Bytes& b, int family, const std::string& text) {
  std::uint8_t a[16] = {};
  ::inet_pton(family, text.c_str(), a);
  b.insert(b.end(), a, a + (family == AF_INET ? 4 : 16));
}

std::uint16_t checksum(const std::uint8_t* p, std::size_t n) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

Bytes l4_bytes(const Frame& f) {
  if (f.l4 != 17) return f.payload;
  Bytes u;
  put16(u, f.sport);
  put16(u, f.dport);
  put16(u, static_cast<std::uint16_t>(f.udp_len >= 0 ? f.udp_len : 8 + f.payload.size()));
  put16(u, 0);  // checksum optional over IPv4; the tests never deliver to a socket via it
  u.insert(u.end(), f.payload.begin(), f.payload.end());
  return u;
}

void ipv4(Bytes& b, const Frame& f, const Bytes& l4) {
  const std::size_t start = b.size();
  const std::size_t hlen = 20 + f.ipv4_options;
  b.push_back(static_cast<std::uint8_t>(0x40 | (hlen / 4)));
  b.push_back(0);
  put16(b, static_cast<std::uint16_t>(hlen + l4.size()));
  put16(b, 0x1234);
  put16(b, f.ipv4_frag);
  b.push_back(64);
  b.push_back(f.l4);
  put16(b, 0);
  put_addr(b, AF_INET, f.src);
  put_addr(b, AF_INET, f.dst);
  for (std::size_t i = 0; i < f.ipv4_options; ++i) b.push_back(1);  // NOP options
  std::uint16_t c = checksum(&b[start], hlen);
  b[start + 10] = static_cast<std::uint8_t>(c >> 8);
  b[start + 11] = static_cast<std::uint8_t>(c);
}

void ipv6(Bytes& b, const Frame& f, const Bytes& l4) {
  const std::size_t ext_len = f.ipv6_ext.size() * 8;
  put32(b, 0x60000000);
  put16(b, static_cast<std::uint16_t>(ext_len + l4.size()));
  b.push_back(f.ipv6_ext.empty() ? f.l4 : f.ipv6_ext[0]);
  b.push_back(64);
  put_addr(b, AF_INET6, f.src);
  put_addr(b, AF_INET6, f.dst);
  for (std::size_t i = 0; i < f.ipv6_ext.size(); ++i) {
    const std::uint8_t next = i + 1 < f.ipv6_ext.size() ? f.ipv6_ext[i + 1] : f.l4;
    b.push_back(next);
    if (f.ipv6_ext[i] == 44) {  // RFC 8200 4.5 Fragment header
      b.push_back(0);
      put16(b, static_cast<std::uint16_t>(f.ipv6_frag_offset << 3 | (f.ipv6_more_fragments ? 1 : 0)));
      put32(b, 0xabcdef01);
    } else {  // hop-by-hop, routing, destination options: 8 bytes, PadN
      b.push_back(0);  // Hdr Ext Len 0: 8 bytes
      const std::uint8_t pad[6] = {1, 4, 0, 0, 0, 0};
      b.insert(b.end(), pad, pad + 6);
    }
  }
}

}  // namespace

Bytes ike_payload(const Ike& ike, bool marker) {
  Bytes b;
  if (marker) put32(b, 0);
  put64(b, ike.spi_i);
  put64(b, ike.spi_r);
  b.push_back(ike.next_payload);
  b.push_back(ike.version);
  b.push_back(ike.exchange);
  b.push_back(ike.flags);
  put32(b, ike.msg_id);
  put32(b, ike.length ? ike.length : static_cast<std::uint32_t>(28 + ike.body));
  b.resize(b.size() + ike.body, 0);
  return b;
}

Bytes build(const Frame& f) {
  Bytes b;
  const std::uint8_t dst_mac[6] = {0x02, 0, 0, 0, 0, 1}, src_mac[6] = {0x02, 0, 0, 0, 0, 2};
  b.insert(b.end(), dst_mac, dst_mac + 6);
  b.insert(b.end(), src_mac, src_mac + 6);
  std::uint16_t type = f.ethertype ? f.ethertype : (f.ip_version == 6 ? 0x86dd : 0x0800);
  for (std::size_t i = 0; i < f.vlan_tpids.size(); ++i) {
    put16(b, f.vlan_tpids[i]);
    put16(b, static_cast<std::uint16_t>(100 + i));  // TCI: VLAN id
  }
  put16(b, type);
  const Bytes l4 = l4_bytes(f);
  if (type == 0x0800)
    ipv4(b, f, l4);
  else if (type == 0x86dd)
    ipv6(b, f, l4);
  else {
    b.insert(b.end(), f.payload.begin(), f.payload.end());
    return b;
  }
  b.insert(b.end(), l4.begin(), l4.end());
  return b;
}

}  // namespace answerd::test
