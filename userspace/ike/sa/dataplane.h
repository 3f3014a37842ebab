// Dataplane: the kernel IPsec backend as the SA engine sees it (after strongSwan's
// kernel/kernel_ipsec.h): allocate an inbound SPI, install and remove ESP SAs and
// their policies, read counters. "Which object" (SaKey, PolicyKey) is split from
// "what data" (SaParams, PolicyParams). The XFRM implementation lives in
// userspace/kernel/; NoneDataplane (dataplane = none) negotiates only and installs
// nothing. Until kernel/ipsec.h publishes the shared interface this header is it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "config/address.h"
#include "config/config.h"
#include "ike/crypto/keymat.h"
#include "ike/crypto/random.h"
#include "ike/wire/types.h"
#include "util/expected.h"

namespace answerd::sa {

// An ESP SA: (destination, SPI, protocol ESP).
struct SaKey {
  config::IpAddress src{};
  config::IpAddress dst{};
  ike::EspSpi spi{};
  friend bool operator==(const SaKey&, const SaKey&) = default;
};

struct SaParams {
  crypto::ChildSuite suite{};
  std::span<const std::uint8_t> encr_key{};   // with AEAD salt
  std::span<const std::uint8_t> integ_key{};  // empty for AEAD
  config::Mode mode = config::Mode::kTunnel;
  ike::Reqid reqid{};
  bool esn = false;
  bool inbound = false;
  std::optional<std::uint16_t> encap_src_port{};  // UDP encapsulation (NAT-T)
  std::optional<std::uint16_t> encap_dst_port{};
  std::uint32_t replay_window = 32;
  std::uint64_t hard_lifetime_s = 0;  // 0: none
  std::uint64_t soft_lifetime_s = 0;
  std::uint32_t if_id = 0;
};

// A traffic selector in kernel terms: an address prefix or range, protocol, ports.
struct Selector {
  config::IpAddress from{};
  config::IpAddress to{};
  std::uint8_t protocol = 0;
  std::uint16_t from_port = 0;
  std::uint16_t to_port = 0xffff;
  friend bool operator==(const Selector&, const Selector&) = default;
};

enum class PolicyDir : std::uint8_t { kIn, kOut, kFwd };

struct PolicyKey {
  Selector src{};
  Selector dst{};
  PolicyDir dir = PolicyDir::kOut;
  std::uint32_t if_id = 0;
  friend bool operator==(const PolicyKey&, const PolicyKey&) = default;
};

struct PolicyParams {
  ike::Reqid reqid{};
  config::Mode mode = config::Mode::kTunnel;
  config::IpAddress tmpl_src{};  // tunnel endpoints
  config::IpAddress tmpl_dst{};
};

struct SaCounters {
  std::uint64_t bytes = 0;
  std::uint64_t packets = 0;
};

class Dataplane {
 public:
  virtual ~Dataplane() = default;
  // A fresh inbound SPI for an SA from src to dst (kernel XFRM_MSG_ALLOCSPI).
  [[nodiscard]] virtual expected<ike::EspSpi, std::string> alloc_spi(const config::IpAddress& src,
                                                                     const config::IpAddress& dst) = 0;
  [[nodiscard]] virtual expected<void, std::string> add_sa(const SaKey& key, const SaParams& params) = 0;
  [[nodiscard]] virtual expected<void, std::string> del_sa(const SaKey& key) = 0;
  [[nodiscard]] virtual expected<void, std::string> add_policy(const PolicyKey& key,
                                                               const PolicyParams& params) = 0;
  [[nodiscard]] virtual expected<void, std::string> del_policy(const PolicyKey& key) = 0;
  [[nodiscard]] virtual expected<SaCounters, std::string> query_sa(const SaKey& key) = 0;
};

// dataplane = none: SPIs from the Random, everything else accepted and dropped.
class NoneDataplane final : public Dataplane {
 public:
  explicit NoneDataplane(crypto::Random& rng) : rng_(rng) {}
  expected<ike::EspSpi, std::string> alloc_spi(const config::IpAddress&, const config::IpAddress&) override;
  expected<void, std::string> add_sa(const SaKey&, const SaParams&) override { return {}; }
  expected<void, std::string> del_sa(const SaKey&) override { return {}; }
  expected<void, std::string> add_policy(const PolicyKey&, const PolicyParams&) override { return {}; }
  expected<void, std::string> del_policy(const PolicyKey&) override { return {}; }
  expected<SaCounters, std::string> query_sa(const SaKey&) override { return SaCounters{}; }

 private:
  crypto::Random& rng_;
};

}  // namespace answerd::sa
