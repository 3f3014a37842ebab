// answerd_capture: frames of every supported link type, IPv4/IPv6, the port 4500
// rules (non-ESP marker, NAT keepalive, ESP-in-UDP), fragments and truncation,
// read back from pcap and pcapng files written here octet by octet.
#include <gtest/gtest.h>
#include <pcap/dlt.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "capture/capture.h"

namespace answerd::capture {
namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}

Bytes udp(std::uint16_t sport, std::uint16_t dport, const Bytes& payload) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put16(b, static_cast<std::uint16_t>(8 + payload.size()));
  put16(b, 0);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes ipv4(const Bytes& l4, std::uint16_t frag = 0, std::uint8_t proto = 17) {
  Bytes b{0x45, 0};
  put16(b, static_cast<std::uint16_t>(20 + l4.size()));
  put16(b, 1);
  put16(b, frag);
  b.insert(b.end(), {64, proto, 0, 0, 192, 0, 2, 10, 192, 0, 2, 1});
  b.insert(b.end(), l4.begin(), l4.end());
  return b;
}

Bytes ipv6(const Bytes& l4) {
  Bytes b{0x60, 0, 0, 0};
  put16(b, static_cast<std::uint16_t>(l4.size()));
  b.insert(b.end(), {17, 64});
  Bytes src(16, 0), dst(16, 0);
  src[0] = dst[0] = 0x20, src[1] = dst[1] = 0x01, src[2] = dst[2] = 0x0d, src[3] = dst[3] = 0xb8;
  src[15] = 10, dst[15] = 1;
  b.insert(b.end(), src.begin(), src.end());
  b.insert(b.end(), dst.begin(), dst.end());
  b.insert(b.end(), l4.begin(), l4.end());
  return b;
}

Bytes ether(const Bytes& l3, std::uint16_t type, bool vlan = false) {
  Bytes b(12, 0x02);
  if (vlan) {
    put16(b, 0x8100);
    put16(b, 42);
  }
  put16(b, type);
  b.insert(b.end(), l3.begin(), l3.end());
  return b;
}

Bytes sll(const Bytes& l3, std::uint16_t type) {
  Bytes b(14, 0);
  put16(b, type);
  b.insert(b.end(), l3.begin(), l3.end());
  return b;
}

Bytes sll2(const Bytes& l3, std::uint16_t type) {
  Bytes b;
  put16(b, type);
  b.resize(20, 0);
  b.insert(b.end(), l3.begin(), l3.end());
  return b;
}

const Bytes kIke = [] {
  Bytes b(28, 0);
  b[0] = 0x11, b[17] = 0x20, b[18] = 34, b[19] = 0x08, b[27] = 28;
  return b;
}();

Bytes with_marker(const Bytes& ike) {
  Bytes b(4, 0);
  b.insert(b.end(), ike.begin(), ike.end());
  return b;
}

// Classic pcap (microsecond timestamps, little endian).
std::string write_pcap(const std::string& name, int linktype, const std::vector<Bytes>& frames) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream f(path, std::ios::binary);
  auto u32 = [&f](std::uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&f](std::uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
  u32(0xa1b2c3d4), u16(2), u16(4), u32(0), u32(0), u32(65535), u32(static_cast<std::uint32_t>(linktype));
  std::uint32_t sec = 1700000000;
  for (const auto& fr : frames) {
    u32(sec++), u32(250000), u32(static_cast<std::uint32_t>(fr.size())), u32(static_cast<std::uint32_t>(fr.size()));
    f.write(reinterpret_cast<const char*>(fr.data()), static_cast<std::streamsize>(fr.size()));
  }
  return path;
}

// pcapng: Section Header, Interface Description, Enhanced Packet Blocks.
std::string write_pcapng(const std::string& name, int linktype, const std::vector<Bytes>& frames) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream f(path, std::ios::binary);
  auto u32 = [&f](std::uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&f](std::uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
  u32(0x0a0d0d0a), u32(28), u32(0x1a2b3c4d), u16(1), u16(0), u32(0xffffffff), u32(0xffffffff), u32(28);
  u32(1), u32(20), u16(static_cast<std::uint16_t>(linktype)), u16(0), u32(65535), u32(20);
  for (const auto& fr : frames) {
    const std::uint32_t padded = static_cast<std::uint32_t>((fr.size() + 3) & ~std::size_t{3});
    const std::uint32_t len = 32 + padded;
    const std::uint64_t ts = 1700000000ull * 1000000 + 5;
    u32(6), u32(len), u32(0), u32(static_cast<std::uint32_t>(ts >> 32)), u32(static_cast<std::uint32_t>(ts));
    u32(static_cast<std::uint32_t>(fr.size())), u32(static_cast<std::uint32_t>(fr.size()));
    f.write(reinterpret_cast<const char*>(fr.data()), static_cast<std::streamsize>(fr.size()));
    for (std::size_t i = fr.size(); i < padded; ++i) f.put(0);
    u32(len);
  }
  return path;
}

TEST(Capture, EthernetMixIpv4Ipv6PortRules) {
  const std::vector<Bytes> frames = {
      ether(ipv4(udp(500, 500, kIke)), 0x0800),                    // 1: IKE
      ether(ipv6(udp(4500, 4500, with_marker(kIke))), 0x86dd, true),  // 2: IKE over NAT-T, VLAN
      ether(ipv4(udp(4500, 4500, Bytes{0xff})), 0x0800),           // 3: NAT keepalive
      ether(ipv4(udp(4500, 4500, Bytes{0, 0, 0, 1, 0, 0, 0, 1})), 0x0800),  // 4: ESP-in-UDP
      ether(ipv4(udp(53, 53, kIke)), 0x0800),                      // 5: other port
      ether(ipv4(udp(500, 500, kIke), 0x0010), 0x0800),            // 6: non-first fragment
      ether(ipv4(Bytes{1, 2, 3, 4}, 0, 6), 0x0800),                // 7: TCP
      ether(Bytes{1, 2, 3}, 0x0806),                               // 8: ARP
  };
  CaptureStats st;
  auto r = read_ike_datagrams(write_pcap("mix.pcap", DLT_EN10MB, frames), &st);
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].frame, 1u);
  EXPECT_EQ((*r)[0].family, AF_INET);
  EXPECT_EQ((*r)[0].src_addr(), "192.0.2.10");
  EXPECT_EQ((*r)[0].dst_addr(), "192.0.2.1");
  EXPECT_EQ((*r)[0].dst_port, 500);
  EXPECT_FALSE((*r)[0].natt);
  EXPECT_EQ((*r)[0].ike, kIke);
  EXPECT_EQ((*r)[0].time_us, 1700000000ll * 1000000 + 250000);
  EXPECT_EQ((*r)[1].frame, 2u);
  EXPECT_EQ((*r)[1].family, AF_INET6);
  EXPECT_EQ((*r)[1].src_addr(), "2001:db8::a");
  EXPECT_TRUE((*r)[1].natt);
  EXPECT_EQ((*r)[1].ike, kIke);
  EXPECT_EQ(st.frames, 8u);
  EXPECT_EQ(st.ike, 2u);
  EXPECT_EQ(st.keepalives, 1u);
  EXPECT_EQ(st.esp_in_udp, 1u);
  EXPECT_EQ(st.other, 4u);
}

TEST(Capture, CookedRawAndPcapng) {
  const Bytes v4 = ipv4(udp(500, 500, kIke));
  const Bytes v6 = ipv6(udp(500, 500, kIke));
  struct Case {
    const char* name;
    std::string path;
  } cases[] = {
      {"sll", write_pcap("sll.pcap", DLT_LINUX_SLL, {sll(v4, 0x0800), sll(v6, 0x86dd)})},
      {"sll2", write_pcap("sll2.pcap", DLT_LINUX_SLL2, {sll2(v4, 0x0800), sll2(v6, 0x86dd)})},
      {"raw", write_pcap("raw.pcap", DLT_RAW, {v4, v6})},
      {"pcapng", write_pcapng("eth.pcapng", DLT_EN10MB, {ether(v4, 0x0800), ether(v6, 0x86dd)})},
  };
  for (const auto& c : cases) {
    auto r = read_ike_datagrams(c.path);
    ASSERT_TRUE(r) << c.name << ": " << r.error();
    ASSERT_EQ(r->size(), 2u) << c.name;
    EXPECT_EQ((*r)[0].family, AF_INET) << c.name;
    EXPECT_EQ((*r)[1].family, AF_INET6) << c.name;
    EXPECT_EQ((*r)[1].ike, kIke) << c.name;
  }
}

TEST(Capture, EveryTruncatedFrameIsSafe) {
  const Bytes frames[] = {ether(ipv4(udp(500, 500, kIke)), 0x0800),
                          ether(ipv6(udp(4500, 4500, with_marker(kIke))), 0x86dd, true)};
  for (const auto& full : frames) {
    for (std::size_t n = 0; n < full.size(); ++n) {
      IkeDatagram d;
      EXPECT_NE(decode_frame(DLT_EN10MB, std::span(full).first(n), d), FrameVerdict::kIke) << n;
    }
    IkeDatagram d;
    EXPECT_EQ(decode_frame(DLT_EN10MB, full, d), FrameVerdict::kIke);
  }
}

TEST(Capture, MissingOrBadFile) {
  EXPECT_FALSE(read_ike_datagrams("/nonexistent/x.pcap"));
  const std::string path = ::testing::TempDir() + "garbage.pcap";
  std::ofstream(path) << "not a capture at all";
  auto r = read_ike_datagrams(path);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find(path), std::string::npos);
}

}  // namespace
}  // namespace answerd::capture
