// The seam between the daemon's IKE sockets and the IKE logic.
//
// IkeListener (ike_listener.h) calls Responder::on_datagram() on the loop thread for
// every IKE message received on the IKE and NAT-T sockets. A Responder sends only
// through the DatagramSender it was given, and only what it was asked to: replies
// to requests, and the few requests DESIGN.md allows (INFORMATIONAL DELETE and
// liveness). The IKE SA state machine implements Responder next to this daemon
// (an adapter in daemon/ around ike/sa); until then CountingResponder (below)
// logs, counts, and sends nothing.
#pragma once

#include "daemon/address.h"
#include "util/expected.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace answerd::daemon {

class DatagramSender {
 public:
  virtual ~DatagramSender() = default;
  // Sends d.bytes (an IKE message, without non-ESP marker) to d.remote from
  // d.local over the IKE or NAT-T socket matching d.local's family and port.
  [[nodiscard]] virtual expected<void, std::string> send(const Datagram& d) = 0;
};

struct RuntimeSettings;

class Responder {
 public:
  virtual ~Responder() = default;
  // The configuration at startup and after each successful reload (SIGHUP or
  // `daemon reload`), before the next datagram. settings.config holds the full
  // validated config::Config (null only when a test injects settings directly).
  virtual void on_config(const RuntimeSettings& settings) { (void)settings; }
  // One received IKE message; runs on the loop thread and must not block (CPU-heavy
  // work goes to the WorkerPool).
  virtual void on_datagram(const Datagram& d) = 0;
  // Clean shutdown (SIGTERM/SIGINT): a Responder with requests to finish first
  // (INFORMATIONAL DELETE of its IKE SAs, DESIGN.md) sends them, returns true and
  // calls `done` on the loop thread once every one is answered or given up; the
  // daemon keeps the loop running for that, at most DaemonOptions::shutdown_grace.
  virtual bool shutdown(std::function<void()> done) {
    (void)done;
    return false;
  }
  // Counters for `stats show`, as a JSON object of name -> number.
  [[nodiscard]] virtual nlohmann::json stats() const = 0;
};

// Placeholder until the IKE SA engine is wired: logs each message (header fields
// decoded by the wire codec) and counts it by exchange type. It never sends.
class CountingResponder final : public Responder {
 public:
  void on_datagram(const Datagram& d) override;
  [[nodiscard]] nlohmann::json stats() const override;
  [[nodiscard]] std::uint64_t received() const { return received_; }

 private:
  std::uint64_t received_ = 0;
  std::uint64_t undecodable_ = 0;
  std::map<std::string, std::uint64_t> by_exchange_;
};

}  // namespace answerd::daemon
