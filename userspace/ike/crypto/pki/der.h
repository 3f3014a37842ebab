// Internal to answerd_crypto: a minimal, bounds-checked DER reader (X.690) for the
// small structures pki/ parses itself from untrusted bytes: the AlgorithmIdentifier
// of an RFC 7427 AUTH payload (with RSASSA-PSS parameters) and Name (RDN sequences)
// of ID_DER_ASN1_DN identities. Definite lengths only, at most 4 length octets,
// single-octet tags (all that these structures use). No OpenSSL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace answerd::crypto::der {

inline constexpr std::uint8_t kInteger = 0x02, kBitString = 0x03, kOctetString = 0x04,
                              kNull = 0x05, kOid = 0x06, kUtf8String = 0x0c,
                              kPrintableString = 0x13, kIa5String = 0x16, kSequence = 0x30,
                              kSet = 0x31;

struct Tlv {
  std::uint8_t tag = 0;
  std::span<const std::uint8_t> value{};
  std::span<const std::uint8_t> whole{};  // tag, length and value
};

// Reads TLVs one after another from a buffer.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}
  [[nodiscard]] bool empty() const { return in_.empty(); }
  // The next TLV, or nullopt when the encoding is broken (truncated, indefinite or
  // non-minimal length, multi-octet tag).
  [[nodiscard]] std::optional<Tlv> next() {
    if (in_.size() < 2 || (in_[0] & 0x1f) == 0x1f) return std::nullopt;
    const std::uint8_t tag = in_[0];
    std::size_t len = in_[1], hdr = 2;
    if (len & 0x80) {
      const std::size_t n = len & 0x7f;
      if (n == 0 || n > 4 || in_.size() < 2 + n || in_[2] == 0) return std::nullopt;
      len = 0;
      for (std::size_t i = 0; i < n; ++i) len = len << 8 | in_[2 + i];
      if (len < 0x80) return std::nullopt;  // DER: minimal length encoding
      hdr = 2 + n;
    }
    if (in_.size() - hdr < len) return std::nullopt;
    Tlv t{tag, in_.subspan(hdr, len), in_.first(hdr + len)};
    in_ = in_.subspan(hdr + len);
    return t;
  }
  // The next TLV only if it has `tag`.
  [[nodiscard]] std::optional<Tlv> expect(std::uint8_t tag) {
    auto t = next();
    if (!t || t->tag != tag) return std::nullopt;
    return t;
  }
  [[nodiscard]] std::optional<std::uint8_t> peek_tag() const {
    if (in_.empty()) return std::nullopt;
    return in_[0];
  }

 private:
  std::span<const std::uint8_t> in_;
};

// A whole buffer that is exactly one TLV with `tag`.
[[nodiscard]] inline std::optional<Tlv> single(std::span<const std::uint8_t> in, std::uint8_t tag) {
  Reader r(in);
  auto t = r.expect(tag);
  if (!t || !r.empty()) return std::nullopt;
  return t;
}

}  // namespace answerd::crypto::der
