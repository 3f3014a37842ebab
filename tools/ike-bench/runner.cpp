// ike-bench: the epoll loop (see runner.h).
#include "tools/ike-bench/runner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <unordered_map>

#include "tools/ike-bench/udp.h"

namespace answerd::bench {

std::string expand_id(const std::string& pattern, std::uint64_t n) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == 'd') {
      out += std::to_string(n);
      ++i;
    } else if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == '%') {
      out += '%';
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

namespace {

struct Flight {
  std::unique_ptr<Negotiation> n;
  std::size_t sock = 0;
};

class Loop {
 public:
  Loop(const RunConfig& cfg, std::vector<UdpSocket> socks, Fd ep)
      : cfg_(cfg), socks_(std::move(socks)), ep_(std::move(ep)) {}

  Results run() {
    const auto t0 = Clock::now();
    auto last_progress = t0;
    std::uint64_t seq = 0;
    std::vector<std::uint8_t> buf(65536);
    for (;;) {
      const auto now = Clock::now();
      const double elapsed = std::chrono::duration<double>(now - t0).count();
      const bool may_start =
          (cfg_.count == 0 || seq < cfg_.count) && (cfg_.duration_s <= 0 || elapsed < cfg_.duration_s);
      if (!may_start && flights_.empty()) break;
      while (may_start && flights_.size() < cfg_.concurrency && (cfg_.count == 0 || seq < cfg_.count) &&
             (cfg_.rate <= 0 || static_cast<double>(seq) < cfg_.rate * elapsed + 1))
        launch(++seq, now);
      wait_and_receive(buf, may_start);
      tick(Clock::now());
      if (cfg_.progress && Clock::now() - last_progress > std::chrono::milliseconds(500)) {
        last_progress = Clock::now();
        std::cerr << progress_line(res_, std::chrono::duration<double>(last_progress - t0).count(), flights_.size())
                  << std::flush;
      }
    }
    res_.duration_s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (cfg_.progress) std::cerr << progress_line(res_, res_.duration_s, 0) << "\n";
    return std::move(res_);
  }

 private:
  void launch(std::uint64_t seq, Clock::time_point now) {
    const std::size_t s = static_cast<std::size_t>(seq % socks_.size());
    auto n = std::make_unique<Negotiation>(cfg_.initiator, rng_, expand_id(cfg_.id_pattern, seq), socks_[s].local,
                                           cfg_.target);
    if (flights_.count(n->spi_i().value()) != 0) return;  // SPI collision: 2^-64, skip the slot
    ++res_.started;
    auto first = n->start(now);
    transmit(s, first);
    const auto spi = n->spi_i().value();
    flights_.emplace(spi, Flight{std::move(n), s});
    settle(spi);
  }

  void transmit(std::size_t s, const Bytes& b) {
    if (!b.empty()) (void)socks_[s].send_to(b, cfg_.target);
  }

  void wait_and_receive(std::vector<std::uint8_t>& buf, bool may_start) {
    int timeout_ms = 50;
    for (const auto& [spi, f] : flights_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(f.n->deadline() - Clock::now()).count();
      timeout_ms = static_cast<int>(std::clamp<long long>(left + 1, 0, timeout_ms));
    }
    if (may_start && cfg_.rate > 0) timeout_ms = std::min(timeout_ms, 1);
    epoll_event evs[16];
    const int k = epoll_wait(ep_.get(), evs, 16, timeout_ms);
    for (int i = 0; i < k; ++i) {
      const auto s = static_cast<std::size_t>(evs[i].data.u64);
      for (;;) {
        const ssize_t len = recv(socks_[s].fd.get(), buf.data(), buf.size(), MSG_DONTWAIT);
        if (len < 0) break;
        dispatch(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(len)));
      }
    }
  }

  void dispatch(std::span<const std::uint8_t> d) {
    if (d.size() < 28) return;
    const auto spi = ike::IkeSpi::from_wire(d.first<8>()).value();
    auto it = flights_.find(spi);
    if (it == flights_.end()) return;
    for (const auto& b : it->second.n->on_datagram(d, Clock::now())) transmit(it->second.sock, b);
    settle(spi);
  }

  void tick(Clock::time_point now) {
    std::vector<std::uint64_t> spis;
    for (auto& [spi, f] : flights_) {
      for (const auto& b : f.n->on_timer(now)) transmit(f.sock, b);
      if (f.n->finished()) spis.push_back(spi);
    }
    for (auto spi : spis) settle(spi);
  }

  // Records and forgets a finished negotiation.
  void settle(std::uint64_t spi) {
    auto it = flights_.find(spi);
    if (it == flights_.end() || !it->second.n->finished()) return;
    const auto& n = *it->second.n;
    res_.retransmissions += static_cast<std::uint64_t>(n.retransmissions());
    res_.init_retries += static_cast<std::uint64_t>(n.init_retries());
    res_.child_rekeys += static_cast<std::uint64_t>(n.child_rekeys_done());
    if (n.state() == State::kDone) {
      ++res_.completed;
      res_.latencies_ms.push_back(std::chrono::duration<double, std::milli>(n.latency()).count());
    } else {
      res_.record_failure(n.failure());
    }
    flights_.erase(it);
  }

  const RunConfig& cfg_;
  std::vector<UdpSocket> socks_;
  Fd ep_;
  crypto::SystemRandom rng_;
  std::unordered_map<std::uint64_t, Flight> flights_;
  Results res_;
};

}  // namespace

expected<Results, std::string> run(const RunConfig& cfg) {
  std::vector<UdpSocket> socks;
  Fd ep(epoll_create1(EPOLL_CLOEXEC));
  if (!ep.valid()) return unexpected<std::string>(std::string("epoll_create1: ") + std::strerror(errno));
  std::vector<config::IpAddress> locals = cfg.locals;
  if (locals.empty()) {
    // The NAT detection hashes need the real source address, not the wildcard.
    auto src = route_source(cfg.target);
    if (!src) return unexpected<std::string>(src.error());
    locals.push_back(*src);
  }
  // Negotiation n goes out on socket n mod count: with several ports per address
  // consecutive negotiations alternate addresses first, then ports.
  for (std::uint32_t p = 0; p < std::max<std::uint32_t>(cfg.ports_per_address, 1); ++p) {
    for (const auto& a : locals) {
      auto s = UdpSocket::bind(a, 0);
      if (!s) return unexpected<std::string>(s.error());
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = socks.size();
      if (epoll_ctl(ep.get(), EPOLL_CTL_ADD, s->fd.get(), &ev) != 0)
        return unexpected<std::string>(std::string("epoll_ctl: ") + std::strerror(errno));
      socks.push_back(std::move(*s));
    }
  }
  Loop loop(cfg, std::move(socks), std::move(ep));
  return loop.run();
}

}  // namespace answerd::bench
