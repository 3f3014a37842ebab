// ike-bench flood: pacing and sending, over UDP or a raw IPv4 socket with spoofed
// sources (see flood.h).
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "tools/ike-bench/flood.h"
#include "tools/ike-bench/negotiation.h"
#include "tools/ike-bench/udp.h"

namespace answerd::bench {
namespace {

// RFC 791 header checksum.
std::uint16_t ip_checksum(const std::uint8_t* p, std::size_t n) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// IPv4 + UDP (checksum 0: none, RFC 768) around an IKE datagram.
std::vector<std::uint8_t> ipv4_udp(const config::IpAddress& src, std::uint16_t sport, const sa::Endpoint& dst,
                                   std::span<const std::uint8_t> ike) {
  std::vector<std::uint8_t> p(20 + 8 + ike.size());
  const auto total = static_cast<std::uint16_t>(p.size());
  p[0] = 0x45;
  p[2] = static_cast<std::uint8_t>(total >> 8);
  p[3] = static_cast<std::uint8_t>(total);
  p[8] = 64;
  p[9] = IPPROTO_UDP;
  std::memcpy(&p[12], src.bytes.data(), 4);
  std::memcpy(&p[16], dst.addr.bytes.data(), 4);
  const auto c = ip_checksum(p.data(), 20);
  p[10] = static_cast<std::uint8_t>(c >> 8);
  p[11] = static_cast<std::uint8_t>(c);
  const auto ulen = static_cast<std::uint16_t>(8 + ike.size());
  p[20] = static_cast<std::uint8_t>(sport >> 8);
  p[21] = static_cast<std::uint8_t>(sport);
  p[22] = static_cast<std::uint8_t>(dst.port >> 8);
  p[23] = static_cast<std::uint8_t>(dst.port);
  p[24] = static_cast<std::uint8_t>(ulen >> 8);
  p[25] = static_cast<std::uint8_t>(ulen);
  std::memcpy(&p[28], ike.data(), ike.size());
  return p;
}

}  // namespace

expected<FloodResult, std::string> flood(const FloodConfig& cfg) {
  if (cfg.rate <= 0 || cfg.duration_s <= 0) return unexpected<std::string>("flood needs --rate and --duration > 0");
  const bool spoof = !cfg.spoof.empty();
  if (spoof && (cfg.target.addr.family != 4 || cfg.spoof.front().family != 4))
    return unexpected<std::string>("--spoof-range is IPv4 only");
  Fd raw;
  std::optional<UdpSocket> udp;
  if (spoof) {
    raw = Fd(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));  // IPPROTO_RAW implies IP_HDRINCL
    if (!raw.valid())
      return unexpected<std::string>(std::string("raw socket (needs CAP_NET_RAW): ") + std::strerror(errno));
  } else {
    auto src = route_source(cfg.target);
    if (!src) return unexpected<std::string>(src.error());
    auto s = UdpSocket::bind(*src, 0);
    if (!s) return unexpected<std::string>(s.error());
    udp = std::move(*s);
  }
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  std::memcpy(&dst.sin_addr, cfg.target.addr.bytes.data(), 4);
  crypto::SystemRandom rng;
  const auto total = static_cast<std::uint64_t>(cfg.rate * cfg.duration_s);
  FloodResult r;
  const auto t0 = Clock::now();
  for (std::uint64_t i = 0; i < total; ++i) {
    // Pace: datagram i leaves at t0 + i / rate.
    const auto due = t0 + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(static_cast<double>(i) / cfg.rate));
    if (Clock::now() < due) std::this_thread::sleep_until(due);
    const auto d = flood_datagram(cfg, i, rng);
    bool ok = false;
    if (spoof) {
      const auto p = ipv4_udp(cfg.spoof[i % cfg.spoof.size()], cfg.source_port, cfg.target, d);
      ok = ::sendto(raw.get(), p.data(), p.size(), 0, reinterpret_cast<const sockaddr*>(&dst), sizeof dst) ==
           static_cast<ssize_t>(p.size());
    } else {
      ok = udp->send_to(d, cfg.target);
    }
    ++(ok ? r.sent : r.send_errors);
  }
  r.duration_s = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

std::string to_json(const FloodConfig& cfg, const FloodResult& r) {
  static const char* names[] = {"init", "retransmit", "role-violation", "unsolicited-response"};
  nlohmann::ordered_json j;
  j["kind"] = names[static_cast<int>(cfg.kind)];
  j["target"] = config::to_string(cfg.target.addr) + ":" + std::to_string(cfg.target.port);
  j["rate"] = cfg.rate;
  j["sent"] = r.sent;
  j["send_errors"] = r.send_errors;
  j["duration_s"] = std::round(r.duration_s * 1000.0) / 1000.0;
  j["spoofed_sources"] = cfg.spoof.size();
  return j.dump(2) + "\n";
}

}  // namespace answerd::bench
