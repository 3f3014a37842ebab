// The SK (RFC 7296 3.14) and SKF (RFC 7383 2.5) payloads as the SA layer sees them:
// where the encrypted octets and the authenticated data are in a received datagram,
// how to lay out an outgoing message around ciphertext, and the SK padding.
//
// Receive:  view = locate_encrypted(datagram)
//           AEAD (RFC 5282 5.1): AAD = view.aad, input = view.encrypted (IV||ct||ICV)
//           non-AEAD: ICV over datagram[0, size - icv_len), CBC over the rest
//           plain = sk_unpad(decrypted) ; inner = parse_payload_chain(view.first_inner, plain)
// Send:     inner = serialize_payload_chain(payloads); padded = sk_pad(inner, block)
//           layout = build_sk_message(header, chain_first_type(payloads), iv+ct+icv size)
//           encrypt with AAD = layout.aad(), write IV||ct||ICV into layout.encrypted()
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "ike/wire/error.h"
#include "ike/wire/payloads.h"

namespace answerd::ike {

// Spans into a received datagram (valid as long as the datagram is).
struct EncryptedView {
  PayloadType type = PayloadType::kSk;  // kSk or kSkf
  PayloadType first_inner = PayloadType::kNone;
  std::uint16_t fragment_number = 0;  // SKF only
  std::uint16_t total_fragments = 0;  // SKF only
  // IKE header through the end of the SK generic header, or of the SKF header
  // including Fragment Number and Total Fragments.
  std::span<const std::uint8_t> aad;
  std::span<const std::uint8_t> encrypted;  // IV || ciphertext || ICV, to the end
  std::size_t encrypted_offset = 0;
};

// Checks the header and payload chain as parse_message() does (without decoding
// the bodies before SK in detail) and finds the SK or SKF payload, which must be the
// last. INVALID_SYNTAX when there is none.
[[nodiscard]] ParseResult<EncryptedView> locate_encrypted(std::span<const std::uint8_t> datagram);

// An outgoing message with room for the encrypted octets.
struct EncryptedLayout {
  Bytes message;                  // complete datagram; encrypted region zero-filled
  std::size_t encrypted_offset = 0;  // == aad().size()
  std::size_t encrypted_len = 0;

  [[nodiscard]] std::span<const std::uint8_t> aad() const {
    return std::span<const std::uint8_t>(message).first(encrypted_offset);
  }
  [[nodiscard]] std::span<std::uint8_t> encrypted() {
    return std::span<std::uint8_t>(message).subspan(encrypted_offset, encrypted_len);
  }
};

// HDR, SK { ... } with `encrypted_len` octets for IV || ciphertext || ICV.
// `plain` payloads (rarely used) precede the SK payload unencrypted.
[[nodiscard]] SerializeResult<EncryptedLayout> build_sk_message(const Header& h, PayloadType first_inner,
                                                                std::size_t encrypted_len,
                                                                std::span<const Payload> plain = {});

// HDR, SKF { ... } for fragment `number` of `total` (RFC 7383 2.5); `first_inner`
// is sent only in fragment 1 (zero in the others).
[[nodiscard]] SerializeResult<EncryptedLayout> build_skf_message(const Header& h, PayloadType first_inner,
                                                                 std::uint16_t number, std::uint16_t total,
                                                                 std::size_t encrypted_len);

// RFC 7296 3.14: appends Padding (zero octets) and the Pad Length octet so that
// plaintext + padding + 1 is a multiple of `block_size` (1 for AEAD stream modes
// such as GCM still gives the single Pad Length octet).
[[nodiscard]] Bytes sk_pad(std::span<const std::uint8_t> plaintext, std::size_t block_size);

// Strips Padding and Pad Length from a decrypted SK body; INVALID_SYNTAX when the
// Pad Length exceeds the data.
[[nodiscard]] ParseResult<std::span<const std::uint8_t>> sk_unpad(std::span<const std::uint8_t> decrypted);

}  // namespace answerd::ike
