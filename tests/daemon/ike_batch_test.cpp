// Batched socket I/O on loopback: recvmmsg batches shorter and longer than the
// socket's queue, per-datagram destination addresses (IP_PKTINFO / IPV6_PKTINFO)
// and classification (truncation, NAT-T marker) inside one batch, sendmmsg batches
// where one destination is refused while the others go out, and the IkeListener's
// read budget and end-of-iteration flush.
#include "daemon/ike_listener.h"
#include "daemon/ike_socket.h"
#include "udp_peer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <set>
#include <vector>

namespace answerd::daemon {
namespace {

using namespace std::chrono_literals;
using test::Bytes;
using test::ip;
using test::open_socket;
using test::Peer;

void wait_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 2000), 1);
}

Bytes tagged(std::size_t n, std::uint8_t tag) { return Bytes(n, tag); }

bool has_ipv6_loopback() { return IkeSocket::open({.bind = {ip("::1"), 0}}).has_value(); }

// Five queued, room for 32: one call returns the five (a short batch), the next
// finds the queue empty. Forty queued, room for 16: 16, 16, 8, in arrival order.
TEST(RecvBatch, ShorterAndLongerThanTheSocketQueue) {
  auto s = open_socket("127.0.0.1", false);
  Peer peer("127.0.0.1");
  RecvBatch big(32, kDefaultMaxDatagram);
  for (std::uint8_t i = 0; i < 5; ++i) peer.send_to(s.local(), tagged(40 + i, i));
  wait_readable(s.fd());
  ASSERT_EQ(s.receive_batch(big, 32), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    ASSERT_EQ(big[i].status, RecvStatus::datagram);
    EXPECT_EQ(big[i].datagram.bytes, tagged(40 + i, static_cast<std::uint8_t>(i)));
    EXPECT_EQ(big[i].datagram.remote, peer.local);
    EXPECT_EQ(big[i].datagram.local, s.local());
  }
  ASSERT_EQ(s.receive_batch(big, 32), 1u);
  EXPECT_EQ(big[0].status, RecvStatus::would_block);

  RecvBatch small(16, kDefaultMaxDatagram);
  for (std::uint8_t i = 0; i < 40; ++i) peer.send_to(s.local(), tagged(30, i));
  wait_readable(s.fd());
  std::vector<std::size_t> sizes;
  std::uint8_t next = 0;
  for (;;) {
    std::size_t n = s.receive_batch(small, 64);  // asks for more than the batch holds
    if (small[0].status == RecvStatus::would_block) break;
    sizes.push_back(n);
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(small[i].datagram.bytes, tagged(30, next++));
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{16, 16, 8}));
  EXPECT_EQ(next, 40);
}

// One batch on a wildcard socket: each datagram keeps its own destination address,
// and the replies sent in one sendmmsg leave from those addresses.
TEST(RecvBatch, PerDatagramDestinationOnAWildcardSocket) {
  auto s = open_socket("0.0.0.0", false);
  Peer peer("127.0.0.1");
  const char* targets[] = {"127.0.0.2", "127.0.0.3", "127.0.0.1", "127.0.0.3"};
  for (std::uint8_t i = 0; i < 4; ++i) peer.send_to({ip(targets[i]), s.local().port}, tagged(50, i));
  wait_readable(s.fd());
  RecvBatch b(32, kDefaultMaxDatagram);
  ASSERT_EQ(s.receive_batch(b, 32), 4u);
  std::vector<Datagram> replies;
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(b[i].status, RecvStatus::datagram);
    EXPECT_EQ(b[i].datagram.local.addr.to_string(), targets[i]);
    EXPECT_GT(b[i].datagram.ifindex, 0);
    Datagram r = b[i].datagram;
    r.bytes = tagged(60, static_cast<std::uint8_t>(0x80 + i));
    replies.push_back(r);
  }
  std::vector<int> errs;
  ASSERT_EQ(s.send_batch(replies, errs), 4u);
  EXPECT_EQ(errs, (std::vector<int>(4, 0)));
  for (std::size_t i = 0; i < 4; ++i) {
    Endpoint from;
    auto got = peer.recv(&from);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, tagged(60, static_cast<std::uint8_t>(0x80 + i)));
    EXPECT_EQ(from.addr.to_string(), targets[i]);
    EXPECT_EQ(from.port, s.local().port);
  }
}

// Oversized datagrams inside a batch are reported truncated one by one; on a NAT-T
// socket the marker, keepalives and ESP are classified per datagram too.
TEST(RecvBatch, TruncatedAndNotIkeEntriesInsideOneBatch) {
  auto s = open_socket("127.0.0.1", false, 100);
  Peer peer("127.0.0.1");
  peer.send_to(s.local(), tagged(50, 1));
  peer.send_to(s.local(), tagged(101, 2));
  peer.send_to(s.local(), tagged(100, 3));
  wait_readable(s.fd());
  RecvBatch b(32, 100);
  ASSERT_EQ(s.receive_batch(b, 32), 3u);
  EXPECT_EQ(b[0].status, RecvStatus::datagram);
  EXPECT_EQ(b[1].status, RecvStatus::truncated);
  ASSERT_EQ(b[2].status, RecvStatus::datagram);
  EXPECT_EQ(b[2].datagram.bytes, tagged(100, 3));

  // A batch sized for larger datagrams than the socket allows still truncates at
  // the socket's limit (NAT-T: 100 IKE bytes after the 4-byte marker).
  auto n = open_socket("127.0.0.1", true, 100);
  Bytes ike = {0, 0, 0, 0};
  ike.resize(104, 7);
  Bytes too_long = ike;
  too_long.push_back(7);
  peer.send_to(n.local(), ike);
  peer.send_to(n.local(), {0xff});
  peer.send_to(n.local(), too_long);
  peer.send_to(n.local(), {0, 0, 0x10, 1, 0, 0, 0, 1});
  wait_readable(n.fd());
  RecvBatch wide(8, kDefaultMaxDatagram);
  ASSERT_EQ(n.receive_batch(wide, 8), 4u);
  ASSERT_EQ(wide[0].status, RecvStatus::datagram);
  EXPECT_EQ(wide[0].datagram.bytes, Bytes(100, 7));
  EXPECT_TRUE(wide[0].datagram.nat_t);
  EXPECT_EQ(wide[1].status, RecvStatus::keepalive);
  EXPECT_EQ(wide[2].status, RecvStatus::truncated);
  EXPECT_EQ(wide[3].status, RecvStatus::not_ike);
}

// Datagrams the kernel refuses (broadcast without SO_BROADCAST: EACCES; port 0:
// EINVAL) fail alone; those around them are sent, in order.
TEST(SendBatch, RefusedDestinationsDoNotStopTheOthers) {
  auto s = open_socket("0.0.0.0", false);
  Peer peer("127.0.0.1");
  auto dg = [&](Endpoint to, std::uint8_t tag) {
    return Datagram{.local = {ip("127.0.0.1"), s.local().port}, .remote = to, .nat_t = false, .ifindex = 0,
                    .bytes = tagged(30, tag)};
  };
  std::vector<Datagram> out = {dg(peer.local, 1), dg({ip("255.255.255.255"), 500}, 2), dg(peer.local, 3),
                               dg({ip("127.0.0.1"), 0}, 4), dg(peer.local, 5)};
  std::vector<int> errs;
  EXPECT_EQ(s.send_batch(out, errs), 3u);
  EXPECT_EQ(errs, (std::vector<int>{0, EACCES, 0, EINVAL, 0}));
  for (std::uint8_t tag : {std::uint8_t{1}, std::uint8_t{3}, std::uint8_t{5}}) {
    auto got = peer.recv();
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, tagged(30, tag));
  }
}

// The child of UnreachableHostCountedOthersSent: exits 0 when the batch went as expected.
[[noreturn]] void unreachable_child() {
  if (::unshare(CLONE_NEWNET) != 0) std::_Exit(10);
  if (std::system("ip link set lo up && ip route add unreachable 203.0.113.0/24") != 0) std::_Exit(11);
  auto s = IkeSocket::open({.bind = {ip("0.0.0.0"), 0}});
  if (!s) std::_Exit(12);
  Peer peer("127.0.0.1");
  auto dg = [&](Endpoint to) {
    return Datagram{.local = {ip("127.0.0.1"), s->local().port}, .remote = to, .nat_t = false, .ifindex = 0,
                    .bytes = {1, 2, 3}};
  };
  std::vector<Datagram> out = {dg(peer.local), dg({ip("203.0.113.9"), 500}), dg(peer.local)};
  std::vector<int> errs;
  std::size_t sent = s->send_batch(out, errs);
  bool ok = sent == 2 && errs == std::vector<int>{0, EHOSTUNREACH, 0} && peer.recv() && peer.recv();
  std::_Exit(ok ? 0 : 13);
}

// EHOSTUNREACH from an `unreachable` route, in a network namespace of its own (a
// child process: the namespace must not leak into the other tests).
TEST(SendBatch, UnreachableHostCountedOthersSent) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: creates a network namespace with an unreachable route";
  EXPECT_EXIT(unreachable_child(), ::testing::ExitedWithCode(0), "");
}

// Records what the listener hands over and answers each datagram at once.
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

// 80 datagrams queued on one socket: the first wake-up reads kReadBudget of them
// in recvmmsg batches and answers them with one sendmmsg at the iteration's end;
// the rest come with the next iteration. A truncated datagram is counted, not
// handed over.
TEST(IkeListener, ReadBudgetBatchesAndOneFlushPerIteration) {
  SteadyClock clock;
  auto loop = EventLoop::create(clock);
  ASSERT_TRUE(loop.has_value());
  auto l = IkeListener::open(**loop, {.local_addrs = {ip("127.0.0.1")}, .ike_port = 0, .nat_port = 0,
                                      .max_datagram = 200});
  ASSERT_TRUE(l.has_value()) << l.error();
  EchoResponder r(**l);
  (*l)->set_responder(&r);
  const Endpoint ike = (*l)->sockets()[0].local();
  Peer peer("127.0.0.1");
  for (int i = 0; i < 80; ++i) peer.send_to(ike, i == 10 ? tagged(201, 0) : Bytes{1, static_cast<std::uint8_t>(i)});
  wait_readable((*l)->sockets()[0].fd());
  (*loop)->run_once(2000ms);
  const auto& st = (*l)->stats();
  EXPECT_EQ(st.received + st.truncated, kReadBudget);
  EXPECT_EQ(st.recv_calls, kReadBudget / kRecvBatch);
  EXPECT_EQ(st.send_calls, 1u);
  EXPECT_EQ(st.sent, st.received);
  EXPECT_EQ(st.truncated, 1u);
  (*loop)->run_once(2000ms);
  EXPECT_EQ(st.received, 79u);
  EXPECT_EQ(st.sent, 79u);
  EXPECT_EQ(st.send_calls, 2u);
  for (int i = 0; i < 80; ++i) {
    if (i == 10) continue;
    auto got = peer.recv();
    ASSERT_TRUE(got.has_value()) << i;
    EXPECT_EQ(*got, (Bytes{static_cast<std::uint8_t>(i), 1}));
  }
  (*l)->set_responder(nullptr);
}

// Wildcard IPv4 and IPv6 sockets in one loop: the replies of one iteration are
// flushed per socket, each from the address its request came to.
TEST(IkeListener, Ipv4AndIpv6RepliesFlushedPerSocket) {
  if (!has_ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback here";
  SteadyClock clock;
  auto loop = EventLoop::create(clock);
  ASSERT_TRUE(loop.has_value());
  auto l = IkeListener::open(**loop, {.local_addrs = {}, .ike_port = 0, .nat_port = 0});
  ASSERT_TRUE(l.has_value()) << l.error();
  EchoResponder r(**l);
  (*l)->set_responder(&r);
  const IkeSocket* v4 = nullptr;
  const IkeSocket* v6 = nullptr;
  for (const auto& s : (*l)->sockets())
    if (!s.nat_t()) (s.local().addr.family == AF_INET ? v4 : v6) = &s;
  ASSERT_TRUE(v4 && v6);
  Peer p4("127.0.0.1"), p6("::1");
  p4.send_to({ip("127.0.0.2"), v4->local().port}, {4, 2});
  p6.send_to({ip("::1"), v6->local().port}, {6, 1});
  p4.send_to({ip("127.0.0.3"), v4->local().port}, {4, 3});
  while (r.got.size() < 3) (*loop)->run_once(2000ms);
  EXPECT_EQ((*l)->stats().sent, 3u);
  Endpoint from;
  auto a = p4.recv(&from);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a, (Bytes{2, 4}));
  EXPECT_EQ(from.addr.to_string(), "127.0.0.2");
  auto b = p4.recv(&from);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*b, (Bytes{3, 4}));
  EXPECT_EQ(from.addr.to_string(), "127.0.0.3");
  auto c = p6.recv(&from);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, (Bytes{1, 6}));
  EXPECT_EQ(from.addr.to_string(), "::1");
  (*l)->set_responder(nullptr);
}

// A reply the kernel refuses at flush time is counted in send_errors; the others
// of the same flush go out.
TEST(IkeListener, FlushCountsARefusedReplyAndSendsTheRest) {
  SteadyClock clock;
  auto loop = EventLoop::create(clock);
  ASSERT_TRUE(loop.has_value());
  auto l = IkeListener::open(**loop, {.local_addrs = {ip("127.0.0.1")}, .ike_port = 0, .nat_port = 0});
  ASSERT_TRUE(l.has_value()) << l.error();
  Peer peer("127.0.0.1");
  const Endpoint ike = (*l)->sockets()[0].local();
  bool ran = false;
  (*loop)->post([&] {
    ASSERT_TRUE((*loop)->in_iteration());
    Datagram d{.local = ike, .remote = peer.local, .nat_t = false, .ifindex = 0, .bytes = {1}};
    EXPECT_TRUE((*l)->send(d).has_value());
    d.remote = {ip("255.255.255.255"), 500};
    EXPECT_TRUE((*l)->send(d).has_value());  // queued: refused only at flush
    d.remote = peer.local;
    d.bytes = {2};
    EXPECT_TRUE((*l)->send(d).has_value());
    EXPECT_EQ((*l)->stats().sent, 0u);
    ran = true;
  });
  (*loop)->run_once(2000ms);
  ASSERT_TRUE(ran);
  EXPECT_EQ((*l)->stats().sent, 2u);
  EXPECT_EQ((*l)->stats().send_errors, 1u);
  EXPECT_EQ((*l)->stats().send_calls, 1u);
  EXPECT_EQ(peer.recv(), (Bytes{1}));
  EXPECT_EQ(peer.recv(), (Bytes{2}));
  // Outside an iteration a send goes out at once.
  EXPECT_FALSE((*loop)->in_iteration());
  Datagram d{.local = ike, .remote = peer.local, .nat_t = false, .ifindex = 0, .bytes = {3}};
  ASSERT_TRUE((*l)->send(d).has_value());
  EXPECT_EQ((*l)->stats().sent, 3u);
  EXPECT_EQ(peer.recv(), (Bytes{3}));
}

}  // namespace
}  // namespace answerd::daemon
