// Plain value types shared by the IKE SA engine (answerd_sa) and its users: UDP
// endpoints, the datagram in/out of the engine and the injected time. The engine
// does no I/O: the daemon turns Datagrams into socket calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "config/address.h"

namespace answerd::sa {

// Monotonic time, injected by the caller of every engine entry point.
using TimePoint = std::chrono::steady_clock::time_point;

struct Endpoint {
  config::IpAddress addr{};  // family 4 or 6
  std::uint16_t port = 0;    // host order
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// One IKE message without the RFC 3948 non-ESP marker. `local` is the address the
// peer sent to (we answer from it), `remote` the peer.
struct Datagram {
  Endpoint local{};
  Endpoint remote{};
  std::vector<std::uint8_t> bytes{};
};

}  // namespace answerd::sa
