// Stateless cookies against IKE_SA_INIT floods (RFC 7296 2.6):
//   cookie = <VersionIDofSecret> | HMAC-SHA2-256(<secret>, Ni | IPi | SPIi)
// The secret is drawn from the injected Random and rotated every `period`; a cookie
// made with the previous secret is still accepted during the following period, so a
// rotation never fails a peer that is mid round trip.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

#include "config/address.h"
#include "ike/crypto/random.h"
#include "ike/crypto/secret_bytes.h"
#include "ike/sa/types.h"
#include "ike/wire/bytes.h"
#include "ike/wire/types.h"

namespace answerd::sa {

class CookieJar {
 public:
  CookieJar(crypto::Random& rng, std::chrono::seconds period);
  // The cookie the initiator must echo.
  [[nodiscard]] ike::Bytes make(std::span<const std::uint8_t> ni, const config::IpAddress& ip, ike::IkeSpi spi_i,
                                TimePoint now);
  [[nodiscard]] bool verify(std::span<const std::uint8_t> cookie, std::span<const std::uint8_t> ni,
                            const config::IpAddress& ip, ike::IkeSpi spi_i, TimePoint now);

 private:
  void rotate_if_due(TimePoint now);
  [[nodiscard]] ike::Bytes compute(const crypto::SecretBytes& secret, std::uint8_t version,
                                   std::span<const std::uint8_t> ni, const config::IpAddress& ip,
                                   ike::IkeSpi spi_i) const;

  crypto::Random& rng_;
  std::chrono::seconds period_;
  crypto::SecretBytes current_, previous_;
  std::uint8_t version_ = 0;
  bool started_ = false;
  TimePoint rotated_at_{};
};

// RFC 7296 2.23: SHA-1(SPIi | SPIr | IP address | port) for NAT_DETECTION_*_IP.
[[nodiscard]] ike::Bytes nat_detection_hash(ike::IkeSpi spi_i, ike::IkeSpi spi_r, const Endpoint& ep);

}  // namespace answerd::sa
