// IkeListener: the set of IKE and NAT-T sockets the daemon listens on, registered
// with the EventLoop. Reads a readable socket in recvmmsg batches (kRecvBatch
// datagrams, at most kReadBudget per wake-up so that one busy socket cannot starve
// the others or the timers), hands IKE messages to the Responder, counts what it
// drops, and is the DatagramSender through which the Responder replies.
//
// Replies sent from inside a loop iteration (a received datagram, a worker's
// completion, a timer, a control command) are queued per socket and flushed with
// sendmmsg when the iteration ends (EventLoop::at_iteration_end); a send from
// outside the loop goes out at once. send() fails at once for what no socket can
// send (no socket for the address, other family, too large); a datagram the kernel
// refuses at flush time is logged and counted in send_errors, the others go out.
//
// Sockets: for each local address (none configured: the wildcards 0.0.0.0 and ::)
// one socket on ike_port and one on nat_port. With wildcards, a family the host
// does not have (IPv6 disabled) is skipped with a warning; a configured address
// that fails to bind is an error.
#pragma once

#include "daemon/event_loop.h"
#include "daemon/ike_socket.h"
#include "daemon/responder.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace answerd::daemon {

struct IkeListenerOptions {
  std::vector<IpAddress> local_addrs;  // empty: 0.0.0.0 and ::
  std::uint16_t ike_port = 500;        // RFC 7296 2.11
  std::uint16_t nat_port = 4500;       // RFC 3948
  bool udp_encap = false;              // UDP_ENCAP_ESPINUDP on NAT-T sockets (dataplane = xfrm)
  std::size_t max_datagram = kDefaultMaxDatagram;
};

struct IkeListenerStats {
  std::uint64_t received = 0;     // IKE messages handed to the Responder
  std::uint64_t truncated = 0;    // larger than max_datagram
  std::uint64_t keepalives = 0;   // NAT-T keepalives
  std::uint64_t not_ike = 0;      // ESP-in-UDP or runts on NAT-T sockets
  std::uint64_t recv_errors = 0;
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t recv_calls = 0;   // recvmmsg calls
  std::uint64_t send_calls = 0;   // flushes of a socket's queue (sendmmsg batches)
  [[nodiscard]] nlohmann::json to_json() const;
};

inline constexpr std::size_t kRecvBatch = 32;   // datagrams per recvmmsg
inline constexpr std::size_t kReadBudget = 64;  // datagrams per socket wake-up

class IkeListener final : public DatagramSender {
 public:
  [[nodiscard]] static expected<std::unique_ptr<IkeListener>, std::string> open(
      EventLoop& loop, const IkeListenerOptions& opts);
  ~IkeListener() override;

  // The Responder receiving messages; not owned, may be replaced (null: drop).
  void set_responder(Responder* r) { responder_ = r; }
  [[nodiscard]] expected<void, std::string> send(const Datagram& d) override;

  [[nodiscard]] const std::vector<IkeSocket>& sockets() const { return sockets_; }
  [[nodiscard]] const IkeListenerStats& stats() const { return stats_; }

 private:
  IkeListener(EventLoop& loop, std::size_t max_datagram) : loop_(loop), batch_(kRecvBatch, max_datagram) {}
  void on_readable(std::size_t index);
  // Returns false when the socket has nothing more to read (or failed).
  bool handle_batch(IkeSocket& s, std::size_t asked);
  void flush();  // sends the queued replies, one sendmmsg per socket

  EventLoop& loop_;
  std::vector<IkeSocket> sockets_;
  Responder* responder_ = nullptr;
  IkeListenerStats stats_;
  RecvBatch batch_;
  std::vector<std::vector<Datagram>> pending_;  // per socket, sent at iteration end
  std::vector<int> send_errnos_;
  EventLoop::HookId flush_hook_ = 0;
};

}  // namespace answerd::daemon
