// Test helper: the IKE messages of a classic pcap (Ethernet, IPv4/IPv6, UDP 500 and
// 4500 with the non-ESP marker) and a walk over an IKE payload chain. Only what the
// crypto tests need to reach SK payloads in the strongSwan captures; bounds-checked.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace answerd::crypto::test {

inline std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}
inline std::uint32_t le32(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at] | b[at + 1] << 8 | b[at + 2] << 16) |
         static_cast<std::uint32_t>(b[at + 3]) << 24;
}

// The UDP payloads that are IKE messages (marker stripped on 4500), in file order.
inline std::vector<std::vector<std::uint8_t>> ike_messages_from_pcap(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  const std::vector<std::uint8_t> d((std::istreambuf_iterator<char>(f)), {});
  std::vector<std::vector<std::uint8_t>> out;
  if (d.size() < 24 || le32(d, 0) != 0xa1b2c3d4 || le32(d, 20) != 1) return out;  // LE, Ethernet
  for (std::size_t off = 24; off + 16 <= d.size();) {
    const std::size_t len = le32(d, off + 8);
    const std::size_t pkt = off + 16;
    off = pkt + len;
    if (off > d.size() || len < 14) break;
    const std::span<const std::uint8_t> p(d.data() + pkt, len);
    std::size_t l4 = 0;
    if (be16(p, 12) == 0x0800 && p.size() >= 34 && p[23] == 17) {
      l4 = 14 + (p[14] & 0x0f) * 4u;
    } else if (be16(p, 12) == 0x86dd && p.size() >= 62 && p[20] == 17) {
      l4 = 14 + 40;
    } else {
      continue;
    }
    if (l4 + 8 > p.size()) continue;
    const std::uint16_t sport = be16(p, l4), dport = be16(p, l4 + 2);
    std::size_t ike = l4 + 8;
    if (sport == 4500 || dport == 4500) {
      if (ike + 4 > p.size() || p[ike] | p[ike + 1] | p[ike + 2] | p[ike + 3]) continue;
      ike += 4;
    } else if (sport != 500 && dport != 500) {
      continue;
    }
    if (p.size() - ike < 28) continue;
    out.emplace_back(p.begin() + static_cast<std::ptrdiff_t>(ike), p.end());
  }
  return out;
}

struct Payload {
  std::uint8_t type;
  std::size_t offset;  // of the generic header within the chain's buffer
  std::span<const std::uint8_t> body;
};

// Walks a payload chain that starts at `off` in `b` with payload type `first`. An SK
// (46) or SKF (53) payload ends the chain: its Next Payload names the first inner one.
inline std::optional<std::vector<Payload>> payload_chain(std::span<const std::uint8_t> b,
                                                         std::size_t off, std::uint8_t first) {
  std::vector<Payload> out;
  for (std::uint8_t type = first; type != 0;) {
    if (off + 4 > b.size()) return std::nullopt;
    const std::size_t len = be16(b, off + 2);
    if (len < 4 || off + len > b.size()) return std::nullopt;
    out.push_back({type, off, b.subspan(off + 4, len - 4)});
    if (type == 46 || type == 53) break;
    type = b[off];
    off += len;
  }
  return out;
}

}  // namespace answerd::crypto::test
