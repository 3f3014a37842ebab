// RFC 7296 2.6 cookies and 2.23 NAT detection hashes.
#include "ike/sa/cookies.h"

#include "ike/crypto/digest.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/transforms.h"

namespace answerd::sa {
namespace {
constexpr std::size_t kSecretLen = 32;
ike::Bytes addr_bytes(const config::IpAddress& ip) {
  return ike::Bytes(ip.bytes.begin(), ip.bytes.begin() + (ip.family == 4 ? 4 : 16));
}
}  // namespace

CookieJar::CookieJar(crypto::Random& rng, std::chrono::seconds period)
    : rng_(rng), period_(period), current_(kSecretLen), previous_(kSecretLen) {}

void CookieJar::rotate_if_due(TimePoint now) {
  if (started_ && now - rotated_at_ < period_) return;
  if (started_ && now - rotated_at_ >= 2 * period_) {
    // Idle for two periods: nothing issued with either secret is still valid.
    rng_.fill(previous_.writable());
  } else {
    previous_ = current_.clone();
  }
  current_ = crypto::SecretBytes(kSecretLen);
  rng_.fill(current_.writable());
  version_ = static_cast<std::uint8_t>(version_ + 1);
  rotated_at_ = now;
  started_ = true;
}

ike::Bytes CookieJar::compute(const crypto::SecretBytes& secret, std::uint8_t version,
                              std::span<const std::uint8_t> ni, const config::IpAddress& ip,
                              ike::IkeSpi spi_i) const {
  const auto spi = spi_i.bytes();
  const auto addr = addr_bytes(ip);
  ike::Bytes out(1 + crypto::prf_output_size(ike::PrfId::kHmacSha2_256));
  out[0] = version;
  auto r = crypto::prf(ike::PrfId::kHmacSha2_256, secret.view(), {ni, addr, spi},
                       std::span<std::uint8_t>(out).subspan(1));
  if (!r) out.clear();
  return out;
}

ike::Bytes CookieJar::make(std::span<const std::uint8_t> ni, const config::IpAddress& ip, ike::IkeSpi spi_i,
                           TimePoint now) {
  rotate_if_due(now);
  return compute(current_, version_, ni, ip, spi_i);
}

bool CookieJar::verify(std::span<const std::uint8_t> cookie, std::span<const std::uint8_t> ni,
                       const config::IpAddress& ip, ike::IkeSpi spi_i, TimePoint now) {
  rotate_if_due(now);
  if (cookie.empty()) return false;
  const crypto::SecretBytes* secret = cookie[0] == version_ ? &current_
                                      : cookie[0] == static_cast<std::uint8_t>(version_ - 1) ? &previous_
                                                                                             : nullptr;
  if (secret == nullptr) return false;
  const auto expect = compute(*secret, cookie[0], ni, ip, spi_i);
  return !expect.empty() && crypto::SecretBytes::copy_of(expect).equals(cookie);
}

ike::Bytes nat_detection_hash(ike::IkeSpi spi_i, ike::IkeSpi spi_r, const Endpoint& ep) {
  const auto a = spi_i.bytes(), b = spi_r.bytes();
  const std::uint8_t port[2] = {static_cast<std::uint8_t>(ep.port >> 8), static_cast<std::uint8_t>(ep.port)};
  const auto h = crypto::sha1({a, b, addr_bytes(ep.addr), port});
  return ike::Bytes(h.begin(), h.end());
}

}  // namespace answerd::sa
