// NoneIpsec: the KernelIpsec backend for dataplane = none (negotiate only, install
// nothing: benchmarks, tests, kernels without ESP). SPIs come from a counter that
// starts at a random point in the ALLOCSPI range, so they are unique per process
// and unpredictable across runs; SAs and policies are accepted and forgotten;
// query_sa() reports zero counters. The first call that would have programmed the
// kernel writes one warning through the sink given at construction, so an operator
// who forgot dataplane = none sees it once, not once per SA.
#pragma once

#include <functional>
#include <string_view>

#include "kernel/ipsec.h"

namespace answerd::kernel::none {

class NoneIpsec final : public KernelIpsec {
 public:
  using Warn = std::function<void(std::string_view)>;
  // first_spi: where the counter starts (tests); the default constructor draws it
  // from getrandom().
  explicit NoneIpsec(Warn warn);
  NoneIpsec(Warn warn, std::uint32_t first_spi);

  [[nodiscard]] IpsecResult<ike::EspSpi> alloc_spi(const IpAddress& src, const IpAddress& dst,
                                                   ike::Reqid reqid) override;
  [[nodiscard]] IpsecResult<void> add_sa(const SaId& id, const SaData& data) override;
  [[nodiscard]] IpsecResult<void> del_sa(const SaId& id) override;
  [[nodiscard]] IpsecResult<SaStats> query_sa(const SaId& id) override;
  [[nodiscard]] IpsecResult<void> update_sa(const SaId& id, const SaId& to, const UdpEncap& encap) override;
  [[nodiscard]] IpsecResult<void> add_policy(const PolicyId& id, const PolicyData& data) override;
  [[nodiscard]] IpsecResult<void> del_policy(const PolicyId& id) override;
  [[nodiscard]] IpsecResult<std::size_t> flush_owned() override { return std::size_t{0}; }
  void set_event_handler(IpsecEventHandler) override {}
  [[nodiscard]] int event_fd() const override { return -1; }
  void dispatch_events() override {}
  [[nodiscard]] const Capabilities& capabilities() const override { return caps_; }

  // Calls that would have programmed the kernel (for statistics and tests).
  [[nodiscard]] std::uint64_t ignored_calls() const { return ignored_; }

  static constexpr std::string_view kWarning =
      "dataplane = none: IKE SAs are negotiated but no ESP SA or policy is installed "
      "in the kernel; traffic is not protected";

 private:
  void ignored();
  Warn warn_;
  std::uint32_t next_spi_;
  std::uint64_t ignored_ = 0;
  bool warned_ = false;
  Capabilities caps_{};
};

}  // namespace answerd::kernel::none
