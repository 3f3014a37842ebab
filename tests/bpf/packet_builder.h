// A small frame builder for the XDP tests and benchmarks: Ethernet, 802.1Q and
// 802.1ad tags, IPv4 with options and fragment fields, IPv6 with extension
// headers, UDP, the NAT-T non-ESP marker and the IKE header (RFC 7296 3.1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace answerd::test {

using Bytes = std::vector<std::uint8_t>;

// RFC 7296 3.1 IKE header; `length` 0 means header + body.
struct Ike {
  std::uint64_t spi_i = 0x0102030405060708ULL;
  std::uint64_t spi_r = 0;
  std::uint8_t next_payload = 33;  // SA
  std::uint8_t version = 0x20;     // major 2, minor 0
  std::uint8_t exchange = 34;      // IKE_SA_INIT
  std::uint8_t flags = 0x08;       // Initiator
  std::uint32_t msg_id = 0;
  std::uint32_t length = 0;
  std::size_t body = 0;  // zero bytes after the header
};

// The UDP payload carrying `ike`, with the 4-byte non-ESP marker when `marker`.
[[nodiscard]] Bytes ike_payload(const Ike& ike, bool marker = false);

struct Frame {
  std::vector<std::uint16_t> vlan_tpids{};  // outermost first: {0x88a8, 0x8100} for QinQ
  std::uint16_t ethertype = 0;            // 0: from ip_version
  int ip_version = 4;
  std::string src = "192.0.2.10";
  std::string dst = "192.0.2.1";
  std::size_t ipv4_options = 0;      // bytes, a multiple of 4, at most 40
  std::uint16_t ipv4_frag = 0;       // host order: flags << 13 | offset (8-byte units)
  std::vector<std::uint8_t> ipv6_ext{};  // extension header types in order: 0, 43, 60, 44
  std::uint16_t ipv6_frag_offset = 0;  // for a fragment header (8-byte units)
  bool ipv6_more_fragments = false;
  std::uint8_t l4 = 17;              // IP protocol; 17 builds a UDP header
  std::uint16_t sport = 500;
  std::uint16_t dport = 500;
  int udp_len = -1;                  // -1: correct length
  Bytes payload{};                   // UDP payload (or the L4 bytes when l4 != 17)
};

[[nodiscard]] Bytes build(const Frame& f);

}  // namespace answerd::test
