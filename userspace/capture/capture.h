// answerd_capture: IKE datagrams out of pcap and pcapng files (through libpcap).
// Owns link-layer (Ethernet with VLAN tags, Linux cooked SLL and SLL2, raw IP,
// BSD loopback), IPv4/IPv6 and UDP decoding, and the RFC 3948 port 4500 rules:
// the 4-octet non-ESP marker is removed, NAT keepalives (one 0xFF octet) and
// ESP-in-UDP (non-zero first four octets) are skipped. IP fragments other than the
// first are skipped. Everything read is untrusted: decoding is bounds-checked.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "util/expected.h"

namespace answerd::capture {

struct IkeDatagram {
  std::size_t frame = 0;       // 1-based frame number in the capture
  std::int64_t time_us = 0;    // capture timestamp, microseconds since the epoch
  int family = 0;              // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> src{};  // first 4 octets for IPv4
  std::array<std::uint8_t, 16> dst{};
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  bool natt = false;            // came with a non-ESP marker (port 4500)
  std::vector<std::uint8_t> ike;  // the IKE message, marker removed

  [[nodiscard]] std::string src_addr() const;  // "192.0.2.1" / "2001:db8::1"
  [[nodiscard]] std::string dst_addr() const;
};

// Why a frame yielded no IKE datagram.
enum class FrameVerdict {
  kIke,
  kNotIp,         // unknown link type or ethertype
  kNotUdp,
  kNotIkePort,
  kNatKeepalive,
  kEspInUdp,
  kFragment,      // IP fragment other than the first
  kTruncated,     // headers or UDP length beyond the captured octets
};

struct CaptureStats {
  std::size_t frames = 0;
  std::size_t ike = 0;
  std::size_t keepalives = 0;
  std::size_t esp_in_udp = 0;
  std::size_t truncated = 0;
  std::size_t other = 0;  // not IP/UDP/IKE port, fragments
};

struct DecodeOptions {
  std::uint16_t ike_port = 500;
  std::uint16_t natt_port = 4500;
};

// Decodes one captured frame of libpcap link type `linktype` (DLT_* value).
// On kIke, `out` holds the datagram (frame number and time are left to the caller).
[[nodiscard]] FrameVerdict decode_frame(int linktype, std::span<const std::uint8_t> frame, IkeDatagram& out,
                                        const DecodeOptions& opts = {});

// Reads every IKE datagram of a pcap or pcapng file. Errors: the file cannot be
// opened or is not a capture ("path: reason").
[[nodiscard]] answerd::expected<std::vector<IkeDatagram>, std::string> read_ike_datagrams(
    const std::string& path, CaptureStats* stats = nullptr, const DecodeOptions& opts = {});

}  // namespace answerd::capture
