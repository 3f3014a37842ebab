// IKE sockets on loopback: receive with PKTINFO, replies from the address asked
// (wildcard socket, 127.0.0.2), the RFC 3948 non-ESP marker on NAT-T sockets,
// keepalives and ESP-in-UDP, truncation, and the IkeListener -> Responder path.
#include "daemon/ike_listener.h"
#include "daemon/ike_socket.h"
#include "udp_peer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

namespace answerd::daemon {
namespace {

using namespace std::chrono_literals;
using test::Bytes;
using test::ip;
using test::open_socket;
using test::Peer;

// Polls the IKE socket until a status other than would_block (2 s at most).
RecvStatus receive_one(IkeSocket& s, Datagram& d) {
  pollfd p{s.fd(), POLLIN, 0};
  if (::poll(&p, 1, 2000) != 1) return RecvStatus::would_block;
  return s.receive(d);
}

Bytes payload(std::size_t n, std::uint8_t first = 0x11) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(first + i);
  return b;
}

TEST(IkeSocket, ReceiveFillsBothEndpoints) {
  auto s = open_socket("127.0.0.1", false);
  Peer peer("127.0.0.1");
  Bytes msg = payload(100);
  peer.send_to(s.local(), msg);
  Datagram d;
  ASSERT_EQ(receive_one(s, d), RecvStatus::datagram);
  EXPECT_EQ(d.bytes, msg);
  EXPECT_EQ(d.remote, peer.local);
  EXPECT_EQ(d.local, s.local());
  EXPECT_FALSE(d.nat_t);
  EXPECT_EQ(s.receive(d), RecvStatus::would_block);
}

// A wildcard socket answers from the address the request was sent to.
TEST(IkeSocket, ReplyLeavesFromTheAddressAsked) {
  auto s = open_socket("0.0.0.0", false);
  for (const char* target : {"127.0.0.2", "127.0.0.3"}) {
    Peer peer("127.0.0.1");
    peer.send_to({ip(target), s.local().port}, payload(40));
    Datagram d;
    ASSERT_EQ(receive_one(s, d), RecvStatus::datagram);
    EXPECT_EQ(d.local.addr.to_string(), target);
    EXPECT_EQ(d.local.port, s.local().port);
    EXPECT_GT(d.ifindex, 0);
    Datagram reply{.local = d.local, .remote = d.remote, .nat_t = false, .ifindex = d.ifindex,
                   .bytes = payload(60, 0x40)};
    ASSERT_TRUE(s.send(reply).has_value());
    Endpoint from;
    auto got = peer.recv(&from);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, reply.bytes);
    EXPECT_EQ(from.addr.to_string(), target);
    EXPECT_EQ(from.port, s.local().port);
  }
}

// RFC 3948 2.2: four zero octets precede IKE on the NAT-T port.
TEST(IkeSocket, NatTMarkerStrippedOnReceiveAddedOnSend) {
  auto s = open_socket("127.0.0.1", true);
  Peer peer("127.0.0.1");
  Bytes ike = payload(64);
  Bytes wire = {0, 0, 0, 0};
  wire.insert(wire.end(), ike.begin(), ike.end());
  peer.send_to(s.local(), wire);
  Datagram d;
  ASSERT_EQ(receive_one(s, d), RecvStatus::datagram);
  EXPECT_TRUE(d.nat_t);
  EXPECT_EQ(d.bytes, ike);
  Datagram reply{.local = d.local, .remote = d.remote, .nat_t = true, .ifindex = 0, .bytes = payload(30, 0x80)};
  ASSERT_TRUE(s.send(reply).has_value());
  auto got = peer.recv();
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->size(), 34u);
  EXPECT_EQ(Bytes(got->begin(), got->begin() + 4), (Bytes{0, 0, 0, 0}));
  EXPECT_EQ(Bytes(got->begin() + 4, got->end()), reply.bytes);
}

TEST(IkeSocket, NatTKeepaliveAndEspAreNotIke) {
  auto s = open_socket("127.0.0.1", true);
  Peer peer("127.0.0.1");
  Datagram d;
  peer.send_to(s.local(), {0xff});  // RFC 3948 2.3 NAT-keepalive
  EXPECT_EQ(receive_one(s, d), RecvStatus::keepalive);
  peer.send_to(s.local(), {0x00, 0x00, 0x10, 0x01, 0, 0, 0, 1});  // ESP: SPI 0x1001
  EXPECT_EQ(receive_one(s, d), RecvStatus::not_ike);
  peer.send_to(s.local(), {0x00, 0x00});  // runt
  EXPECT_EQ(receive_one(s, d), RecvStatus::not_ike);
}

TEST(IkeSocket, OversizedDatagramIsTruncatedAndDropped) {
  auto s = open_socket("127.0.0.1", false, 1000);
  Peer peer("127.0.0.1");
  peer.send_to(s.local(), payload(1001));
  Datagram d;
  EXPECT_EQ(receive_one(s, d), RecvStatus::truncated);
  peer.send_to(s.local(), payload(1000));
  ASSERT_EQ(receive_one(s, d), RecvStatus::datagram);
  EXPECT_EQ(d.bytes.size(), 1000u);
  // Sending more than the limit is refused before the kernel sees it.
  d.bytes = payload(1001);
  EXPECT_FALSE(s.send(d).has_value());
}

TEST(IkeSocket, Ipv6LoopbackWithPktinfo) {
  auto probe = IkeSocket::open({.bind = {ip("::1"), 0}});
  if (!probe) GTEST_SKIP() << "no IPv6 loopback here: " << probe.error();
  auto s = open_socket("::", true);
  Peer peer("::1");
  Bytes wire = {0, 0, 0, 0, 9, 8, 7};
  peer.send_to({ip("::1"), s.local().port}, wire);
  Datagram d;
  ASSERT_EQ(receive_one(s, d), RecvStatus::datagram);
  EXPECT_EQ(d.local.addr.to_string(), "::1");
  EXPECT_EQ(d.bytes, (Bytes{9, 8, 7}));
  d.bytes = {1, 2};
  ASSERT_TRUE(s.send(d).has_value());
  auto got = peer.recv();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, (Bytes{0, 0, 0, 0, 1, 2}));
}

// Records what the listener hands over; replies when told to.
class EchoResponder final : public Responder {
 public:
  explicit EchoResponder(DatagramSender& s) : sender_(s) {}
  void on_datagram(const Datagram& d) override {
    got.push_back(d);
    Datagram r = d;
    std::reverse(r.bytes.begin(), r.bytes.end());
    EXPECT_TRUE(sender_.send(r).has_value());
  }
  nlohmann::json stats() const override { return {{"got", got.size()}}; }
  std::vector<Datagram> got;

 private:
  DatagramSender& sender_;
};

TEST(IkeListener, DispatchesToResponderAndRoutesReplies) {
  SteadyClock clock;
  auto loop = EventLoop::create(clock);
  ASSERT_TRUE(loop.has_value());
  auto l = IkeListener::open(**loop, {.local_addrs = {ip("127.0.0.1")}, .ike_port = 0, .nat_port = 0});
  ASSERT_TRUE(l.has_value()) << l.error();
  ASSERT_EQ((*l)->sockets().size(), 2u);
  const Endpoint ike = (*l)->sockets()[0].local(), nat = (*l)->sockets()[1].local();
  ASSERT_FALSE((*l)->sockets()[0].nat_t());
  ASSERT_TRUE((*l)->sockets()[1].nat_t());
  EchoResponder r(**l);
  (*l)->set_responder(&r);
  Peer peer("127.0.0.1");
  peer.send_to(ike, {1, 2, 3});
  peer.send_to(nat, {0, 0, 0, 0, 4, 5, 6});
  peer.send_to(nat, {0xff});
  while (r.got.size() < 2 || (*l)->stats().keepalives < 1) (*loop)->run_once(2000ms);
  EXPECT_EQ((*l)->stats().received, 2u);
  EXPECT_EQ((*l)->stats().sent, 2u);
  auto a = peer.recv(), b = peer.recv();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, (Bytes{3, 2, 1}));
  EXPECT_EQ(*b, (Bytes{0, 0, 0, 0, 6, 5, 4}));
  // No socket for an address we do not listen on.
  Datagram stray{.local = {ip("127.0.0.9"), ike.port}, .remote = peer.local, .nat_t = false, .ifindex = 0, .bytes = {1}};
  EXPECT_FALSE((*l)->send(stray).has_value());
  (*l)->set_responder(nullptr);
}

TEST(CountingResponder, CountsByExchangeAndNeverSends) {
  CountingResponder r;
  // IKE_SA_INIT request header (RFC 7296 3.1), 28 octets, no payloads.
  Bytes init = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28};
  Datagram d;
  d.bytes = init;
  r.on_datagram(d);
  d.bytes = {1, 2, 3};
  r.on_datagram(d);
  auto s = r.stats();
  EXPECT_EQ(s["received"], 2);
  EXPECT_EQ(s["undecodable"], 1);
  EXPECT_EQ(s["answered"], 0);
  EXPECT_EQ(s["by_exchange"].size(), 1u);
}

}  // namespace
}  // namespace answerd::daemon
