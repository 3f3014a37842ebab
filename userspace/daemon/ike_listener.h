// IkeListener: the set of IKE and NAT-T sockets the daemon listens on, registered
// with the EventLoop. Reads every readable socket until EAGAIN (bounded per wake-up),
// hands IKE messages to the Responder, counts what it drops, and is the
// DatagramSender through which the Responder replies.
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
  [[nodiscard]] nlohmann::json to_json() const;
};

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
  explicit IkeListener(EventLoop& loop) : loop_(loop) {}
  void on_readable(std::size_t index);

  EventLoop& loop_;
  std::vector<IkeSocket> sockets_;
  Responder* responder_ = nullptr;
  IkeListenerStats stats_;
  Datagram scratch_;
};

}  // namespace answerd::daemon
