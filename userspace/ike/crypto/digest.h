// Plain message digests the protocol uses outside PRFs and signatures:
// SHA-1 for NAT detection (RFC 7296 2.23) and for CERTREQ key hashes (3.7).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace answerd::crypto {

using Sha1Digest = std::array<std::uint8_t, 20>;

// SHA-1 over the concatenation of parts.
[[nodiscard]] Sha1Digest sha1(std::initializer_list<std::span<const std::uint8_t>> parts);

}  // namespace answerd::crypto
