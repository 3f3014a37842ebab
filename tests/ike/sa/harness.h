// Test harness for the SA engine: a config parsed from swanctl text, a recording
// Dataplane, a fake clock, and a send() that runs compute jobs inline the way the
// daemon runs them on its worker pool. Every datagram the engine emits in the
// whole suite is recorded in emitted_log() for the responder-only invariant test.
#pragma once

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/load.h"
#include "ike/sa/engine.h"
#include "initiator.h"

namespace answerd::sa::test {

inline std::vector<Bytes>& emitted_log() {
  static std::vector<Bytes> log;
  return log;
}

struct InstalledSa {
  kernel::SaId id;
  kernel::SaData data;  // key spans cleared; the keys are copied below
  Bytes encr_key, integ_key;
};

// KernelIpsec that records what the engine installs, with the keys, so that tests
// compare them with the KEYMAT the initiator derives.
class RecordingDataplane final : public kernel::KernelIpsec {
 public:
  std::map<std::uint32_t, InstalledSa> sas;
  std::vector<std::pair<kernel::PolicyId, kernel::PolicyData>> policies;
  std::uint32_t next_spi = 0xc0000001;
  int deleted_sas = 0, deleted_policies = 0;
  int updates = 0, policy_updates = 0;  // NAT mapping moves (update_sa, PolicyData::update)

  kernel::IpsecResult<ike::EspSpi> alloc_spi(const kernel::IpAddress&, const kernel::IpAddress&, ike::Reqid r) override {
    EXPECT_TRUE(kernel::is_owned_reqid(r));
    return ike::EspSpi(next_spi++);
  }
  kernel::IpsecResult<void> add_sa(const kernel::SaId& k, const kernel::SaData& d) override {
    InstalledSa s{k, d, Bytes(d.encr.key.begin(), d.encr.key.end()), Bytes(d.integ.key.begin(), d.integ.key.end())};
    s.data.encr.key = {};
    s.data.integ.key = {};
    sas[k.spi.value()] = std::move(s);
    return {};
  }
  kernel::IpsecResult<void> update_sa(const kernel::SaId& k, const kernel::SaId& to,
                                      const kernel::UdpEncap& e) override {
    auto it = sas.find(k.spi.value());
    if (it == sas.end() || it->second.id.dst != k.dst || it->second.id.src != k.src)
      return unexpected(kernel::IpsecError{3, "no such SA"});
    it->second.id = to;
    it->second.data.encap = e;
    ++updates;
    return {};
  }
  kernel::IpsecResult<void> del_sa(const kernel::SaId& k) override {
    if (sas.erase(k.spi.value()) == 0) return unexpected(kernel::IpsecError{2, "no such SA"});
    ++deleted_sas;
    return {};
  }
  kernel::IpsecResult<kernel::SaStats> query_sa(const kernel::SaId&) override { return kernel::SaStats{}; }
  kernel::IpsecResult<void> add_policy(const kernel::PolicyId& k, const kernel::PolicyData& d) override {
    if (d.update) {  // UPDPOLICY: replaces the installed policy of this selector
      for (auto& p : policies)
        if (p.first.sel == k.sel && p.first.dir == k.dir && p.first.if_id == k.if_id) {
          p.second = d;
          ++policy_updates;
          return {};
        }
      return unexpected(kernel::IpsecError{2, "no policy to update"});
    }
    policies.emplace_back(k, d);
    return {};
  }
  kernel::IpsecResult<void> del_policy(const kernel::PolicyId& k) override {
    for (auto it = policies.begin(); it != policies.end(); ++it)
      if (it->first.sel == k.sel && it->first.dir == k.dir && it->first.if_id == k.if_id) {
        policies.erase(it);
        ++deleted_policies;
        return {};
      }
    return unexpected(kernel::IpsecError{2, "no such policy"});
  }
  kernel::IpsecResult<std::size_t> flush_owned() override { return std::size_t{0}; }
  void set_event_handler(kernel::IpsecEventHandler) override {}
  [[nodiscard]] int event_fd() const override { return -1; }
  void dispatch_events() override {}
  [[nodiscard]] const kernel::Capabilities& capabilities() const override { return caps_; }

 private:
  kernel::Capabilities caps_{};
};

inline const char* kHubConf = R"(
connections {
  hub {
    local_addrs = 192.0.2.1
    remote_addrs = 198.51.100.0/24
    proposals = aes256gcm16-prfsha256-x25519, aes128-sha256-modp2048, chacha20poly1305-prfsha384-ecp384
    rekey_time = 4h
    local {
      auth = psk
      id = hub.example
    }
    remote {
      auth = psk
      id = *.spoke.example
    }
    children {
      net {
        local_ts = 10.1.0.0/16
        remote_ts = 10.2.0.0/16
        esp_proposals = aes256gcm16, aes128-sha256, chacha20poly1305, aes256gcm16-modp2048
      }
      host {
        local_ts = 192.0.2.1[udp/1701]
        remote_ts = dynamic[udp/1701]
        mode = transport
        esp_proposals = aes128gcm16
      }
    }
  }
}
secrets {
  ike-spokes {
    id-hub = hub.example
    id-a = a.spoke.example
    id-b = b.spoke.example
    secret = "correct horse battery staple"
  }
}
answerd {
  dataplane = none
  cookie_threshold = 50
}
)";
inline const std::string kPsk = "correct horse battery staple";

inline std::shared_ptr<const config::Config> load_conf(const std::string& text) {
  config::LoadOptions o;
  o.check_files = false;
  auto c = config::parse_string(text, "test.conf", o);
  if (!c) {
    for (const auto& d : c.error()) ADD_FAILURE() << d.message;
    return std::make_shared<config::Config>();
  }
  return std::make_shared<const config::Config>(std::move(*c));
}

inline Endpoint hub_ep() { return Endpoint{ip("192.0.2.1"), 500}; }
inline Endpoint spoke_ep(int n = 10, std::uint16_t port = 500) {
  return Endpoint{ip("198.51.100." + std::to_string(n)), port};
}

class Harness {
 public:
  explicit Harness(const std::string& conf = kHubConf, Options o = {})
      : cfg(load_conf(conf)), rng(99), r(cfg, rng, dp, with_log(std::move(o))) {}

  ~Harness() {
    if (::testing::Test::HasFailure())
      for (const auto& l : log) std::cerr << "  engine: " << l << "\n";
  }

  std::shared_ptr<const config::Config> cfg;
  crypto::DeterministicRandom rng;
  RecordingDataplane dp;
  std::vector<std::string> log;
  IkeResponder r;
  TimePoint now{std::chrono::hours(1)};

  // One datagram from `from` to the responder; jobs run inline. The answers must go
  // back to from.self, or to `reply_to` when given (a NAT mapping the SA knows).
  std::vector<Bytes> send(const Initiator& from, const Bytes& bytes, std::optional<Endpoint> reply_to = {}) {
    Datagram d{.local = from.peer, .remote = from.self, .bytes = bytes};
    Output out = r.handle(d, now);
    if (out.job) {
      auto job = std::move(out.job);
      job->run();
      Output done = r.complete(std::move(job), now);
      for (auto& s : done.send) out.send.push_back(std::move(s));
    }
    return collect(out, from, reply_to);
  }
  // The request handed over as the daemon's loop does: a job stays in the Output.
  Output start(const Initiator& from, const Bytes& bytes) {
    return r.handle(Datagram{.local = from.peer, .remote = from.self, .bytes = bytes}, now);
  }
  // The job of `out` run "on a worker", then handed back on the loop thread.
  std::vector<Bytes> finish(const Initiator& to, Output& out) {
    EXPECT_TRUE(out.job);
    if (!out.job) return {};
    auto job = std::move(out.job);
    job->run();
    Output done = r.complete(std::move(job), now);
    EXPECT_FALSE(done.job);
    return collect(done, to);
  }
  std::vector<Bytes> collect(Output& out, const Initiator& to, std::optional<Endpoint> reply_to = {}) {
    std::vector<Bytes> res;
    for (auto& s : out.send) {
      EXPECT_EQ(s.remote, reply_to.value_or(to.self));
      EXPECT_EQ(s.local, to.peer);
      emitted_log().push_back(s.bytes);
      res.push_back(std::move(s.bytes));
    }
    return res;
  }

 private:
  Options with_log(Options o) {
    o.log = [this](std::string_view l) { log.emplace_back(l); };
    return o;
  }
};

}  // namespace answerd::sa::test
