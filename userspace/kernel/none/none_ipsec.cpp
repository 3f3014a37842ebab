// dataplane = none (see none_ipsec.h).
#include "kernel/none/none_ipsec.h"

#include <sys/random.h>

#include <utility>

namespace answerd::kernel::none {
namespace {

// The same range as the XFRM backend's ALLOCSPI (RFC 4303 2.1: 1-255 reserved).
constexpr std::uint32_t kSpiMin = 0xc0000000u;
constexpr std::uint32_t kSpiSpan = 0x10000000u;

std::uint32_t random_start() {
  std::uint32_t r = 0;
  if (getrandom(&r, sizeof(r), 0) != sizeof(r)) r = 0;
  return r;
}

}  // namespace

NoneIpsec::NoneIpsec(Warn warn) : NoneIpsec(std::move(warn), random_start()) {}

NoneIpsec::NoneIpsec(Warn warn, std::uint32_t first_spi)
    : warn_(std::move(warn)), next_spi_(first_spi) {
  // Everything an ESP proposal may ask for is "supported": nothing is installed.
  caps_.encr = {ike::EncrId::kAesGcm16, ike::EncrId::kAesGcm12, ike::EncrId::kAesGcm8,
                ike::EncrId::kChacha20Poly1305, ike::EncrId::kAesCbc};
  caps_.integ = {ike::IntegId::kHmacSha2_256_128, ike::IntegId::kHmacSha2_384_192,
                 ike::IntegId::kHmacSha2_512_256, ike::IntegId::kHmacSha1_96};
}

void NoneIpsec::ignored() {
  ++ignored_;
  if (!warned_) {
    warned_ = true;
    if (warn_) warn_(kWarning);
  }
}

IpsecResult<ike::EspSpi> NoneIpsec::alloc_spi(const IpAddress&, const IpAddress&, ike::Reqid) {
  const std::uint32_t spi = kSpiMin + (next_spi_++ % kSpiSpan);
  return ike::EspSpi(spi);
}

IpsecResult<void> NoneIpsec::add_sa(const SaId&, const SaData&) {
  ignored();
  return {};
}

IpsecResult<void> NoneIpsec::del_sa(const SaId&) {
  ignored();
  return {};
}

IpsecResult<void> NoneIpsec::update_sa(const SaId&, const SaId&, const UdpEncap&) {
  ignored();
  return {};
}

IpsecResult<SaStats> NoneIpsec::query_sa(const SaId&) { return SaStats{}; }

IpsecResult<void> NoneIpsec::add_policy(const PolicyId&, const PolicyData&) {
  ignored();
  return {};
}

IpsecResult<void> NoneIpsec::del_policy(const PolicyId&) {
  ignored();
  return {};
}

}  // namespace answerd::kernel::none
