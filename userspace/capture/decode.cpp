// Link, network and transport decoding of one captured frame (see capture.h).
#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <sys/socket.h>

#include <algorithm>

#include "capture/capture.h"

namespace answerd::capture {
namespace {

using Span = std::span<const std::uint8_t>;

std::uint16_t be16(Span s, std::size_t at) { return static_cast<std::uint16_t>(s[at] << 8 | s[at + 1]); }

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86dd;
constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint16_t kEtherQinQ = 0x88a8;
constexpr std::uint8_t kIpprotoUdp = 17;

// The network-layer packet and its ethertype, or false when not IP.
bool strip_link(int linktype, Span frame, Span& packet, std::uint16_t& ethertype) {
  switch (linktype) {
    case DLT_EN10MB: {
      std::size_t at = 12;
      if (frame.size() < 14) return false;
      ethertype = be16(frame, at);
      while ((ethertype == kEtherVlan || ethertype == kEtherQinQ) && frame.size() >= at + 6) {
        at += 4;
        ethertype = be16(frame, at);
      }
      if (frame.size() < at + 2) return false;
      packet = frame.subspan(at + 2);
      return true;
    }
    case DLT_LINUX_SLL:  // 16-octet header, protocol at 14
      if (frame.size() < 16) return false;
      ethertype = be16(frame, 14);
      packet = frame.subspan(16);
      return true;
    case DLT_LINUX_SLL2:  // 20-octet header, protocol at 0
      if (frame.size() < 20) return false;
      ethertype = be16(frame, 0);
      packet = frame.subspan(20);
      return true;
    case DLT_NULL:  // 4-octet host-order address family
      if (frame.size() < 4) return false;
      packet = frame.subspan(4);
      ethertype = 0;
      return true;
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case 101:  // LINKTYPE_RAW as stored in some files
      packet = frame;
      ethertype = 0;
      return true;
    default:
      return false;
  }
}

// IPv4 (RFC 791): the UDP segment, or a verdict.
FrameVerdict ipv4(Span p, IkeDatagram& out, Span& udp) {
  if (p.size() < 20) return FrameVerdict::kTruncated;
  const std::size_t ihl = static_cast<std::size_t>(p[0] & 0x0f) * 4;
  const std::size_t total = be16(p, 2);
  if (ihl < 20 || total < ihl) return FrameVerdict::kNotIp;
  if (p.size() < total) return FrameVerdict::kTruncated;
  if ((be16(p, 6) & 0x1fff) != 0) return FrameVerdict::kFragment;
  if (p[9] != kIpprotoUdp) return FrameVerdict::kNotUdp;
  out.family = AF_INET;
  std::copy_n(p.begin() + 12, 4, out.src.begin());
  std::copy_n(p.begin() + 16, 4, out.dst.begin());
  udp = p.subspan(ihl, total - ihl);
  return FrameVerdict::kIke;
}

// IPv6 (RFC 8200) with extension headers before UDP.
FrameVerdict ipv6(Span p, IkeDatagram& out, Span& udp) {
  if (p.size() < 40) return FrameVerdict::kTruncated;
  const std::size_t total = 40 + static_cast<std::size_t>(be16(p, 4));
  if (p.size() < total) return FrameVerdict::kTruncated;
  std::uint8_t next = p[6];
  std::size_t at = 40;
  for (int hops = 0; hops < 8 && next != kIpprotoUdp; ++hops) {
    if (at + 8 > total) return FrameVerdict::kTruncated;
    if (next == 44) {  // Fragment header: only the first fragment holds UDP
      if ((be16(p, at + 2) & 0xfff8) != 0) return FrameVerdict::kFragment;
      next = p[at];
      at += 8;
    } else if (next == 0 || next == 43 || next == 60) {
      const std::uint8_t nh = p[at];
      at += (static_cast<std::size_t>(p[at + 1]) + 1) * 8;
      next = nh;
    } else {
      return FrameVerdict::kNotUdp;
    }
  }
  if (next != kIpprotoUdp || at > total) return FrameVerdict::kNotUdp;
  out.family = AF_INET6;
  std::copy_n(p.begin() + 8, 16, out.src.begin());
  std::copy_n(p.begin() + 24, 16, out.dst.begin());
  udp = p.subspan(at, total - at);
  return FrameVerdict::kIke;
}

// UDP (RFC 768) and the IKE port rules of RFC 3948 2.2-2.3.
FrameVerdict udp_payload(Span udp, IkeDatagram& out, const DecodeOptions& opts) {
  if (udp.size() < 8) return FrameVerdict::kTruncated;
  const std::size_t len = be16(udp, 4);
  if (len < 8 || len > udp.size()) return FrameVerdict::kTruncated;
  out.src_port = be16(udp, 0);
  out.dst_port = be16(udp, 2);
  Span data = udp.subspan(8, len - 8);
  const auto is = [&](std::uint16_t port) { return out.src_port == port || out.dst_port == port; };
  if (is(opts.natt_port)) {
    if (data.size() == 1 && data[0] == 0xff) return FrameVerdict::kNatKeepalive;
    if (data.size() < 4 || data[0] || data[1] || data[2] || data[3]) return FrameVerdict::kEspInUdp;
    out.natt = true;
    data = data.subspan(4);
  } else if (!is(opts.ike_port)) {
    return FrameVerdict::kNotIkePort;
  }
  out.ike.assign(data.begin(), data.end());
  return FrameVerdict::kIke;
}

std::string format(int family, const std::array<std::uint8_t, 16>& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a.data(), buf, sizeof buf)) return "?";
  return buf;
}

}  // namespace

std::string IkeDatagram::src_addr() const { return format(family, src); }
std::string IkeDatagram::dst_addr() const { return format(family, dst); }

FrameVerdict decode_frame(int linktype, std::span<const std::uint8_t> frame, IkeDatagram& out,
                          const DecodeOptions& opts) {
  Span packet;
  std::uint16_t ethertype = 0;
  if (!strip_link(linktype, frame, packet, ethertype) || packet.empty()) return FrameVerdict::kNotIp;
  const int version = packet[0] >> 4;
  Span udp;
  FrameVerdict v = FrameVerdict::kNotIp;
  if ((ethertype == kEtherIpv4 || ethertype == 0) && version == 4) {
    v = ipv4(packet, out, udp);
  } else if ((ethertype == kEtherIpv6 || ethertype == 0) && version == 6) {
    v = ipv6(packet, out, udp);
  }
  if (v != FrameVerdict::kIke) return v;
  return udp_payload(udp, out, opts);
}

}  // namespace answerd::capture
