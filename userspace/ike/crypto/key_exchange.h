// Key exchange (Diffie-Hellman) for IKEv2 KE payloads, responder side:
// make our key pair for the negotiated group from the injected Random, publish our
// public value, and compute g^ir from the initiator's KE data after validating it.
//
//   MODP 14/15/16 (RFC 3526): public value and g^ir are len(p) bytes, big-endian,
//     left-padded with zeros (RFC 7296 3.4). Peer value checks: length == len(p),
//     1 < y < p-1 (RFC 6989 2.1, safe primes need no subgroup test).
//   ECP 19/20/21 (RFC 5903 7): public value is x | y, each coordinate padded to the
//     field size, WITHOUT the 0x04 point-format octet; g^ir is the x coordinate of
//     the shared point only. Peer value checks: length, coordinates < p, point on
//     the curve, result not the point at infinity (RFC 6989 2.3; cofactor is 1).
//   Curve25519 31 (RFC 8031): 32-byte u-coordinates (RFC 7748); a shared secret of
//     all zeros (low-order peer point) is rejected (RFC 8031 2.3).
//
// A failed check is CryptoError::kBadPublicValueLength or kInvalidPublicValue
// (the responder answers INVALID_SYNTAX); an unsupported group is kUnsupported
// (INVALID_KE_PAYLOAD naming the group we want).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "ike/crypto/errors.h"
#include "ike/crypto/random.h"
#include "ike/crypto/secret_bytes.h"
#include "ike/wire/iana.h"
#include "util/expected.h"

namespace answerd::crypto {

class KeyExchange {
 public:
  virtual ~KeyExchange() = default;
  [[nodiscard]] ike::DhGroup group() const { return group_; }
  // Our public value, exactly as the KE payload's Key Exchange Data carries it.
  [[nodiscard]] virtual std::span<const std::uint8_t> public_value() const = 0;
  // g^ir computed from the peer's Key Exchange Data (validated first).
  // Size: ke_shared_size(group()). Callable more than once (same result).
  [[nodiscard]] virtual answerd::expected<SecretBytes, CryptoError> shared_secret(
      std::span<const std::uint8_t> peer_public) const = 0;

 protected:
  explicit KeyExchange(ike::DhGroup g) : group_(g) {}

 private:
  ike::DhGroup group_;
};

// A fresh key pair for `group`. The private value is drawn from `rng`: MODP an
// exponent of 256/384/512 bits (groups 14/15/16), ECP a scalar in [1, n-1] by
// rejection sampling of len(n) bytes (top byte masked to the order's bit length),
// X25519 32 bytes (clamped by the scalar multiplication). A test that feeds the
// RFC's private value through ScriptedRandom gets the RFC's public value.
[[nodiscard]] answerd::expected<std::unique_ptr<KeyExchange>, CryptoError> make_key_exchange(
    ike::DhGroup group, Random& rng);

}  // namespace answerd::crypto
