// Errors of the IKE codec. A ParseError says what a responder would answer (the
// notify type, RFC 7296 3.10.1, plus its notification data where the RFC defines
// one, e.g. the payload type for UNSUPPORTED_CRITICAL_PAYLOAD), where in the
// datagram the problem was found, and a message for logs. Decoders never throw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "ike/wire/notify_types.h"
#include "util/expected.h"

namespace answerd::ike {

struct ParseError {
  NotifyType notify = NotifyType::kInvalidSyntax;
  // For UNSUPPORTED_CRITICAL_PAYLOAD the payload type, which is the notification
  // data to send (RFC 7296 3.10.1); for INVALID_MAJOR_VERSION the received major
  // version (for logs: that notify carries no data); 0 otherwise.
  std::uint16_t detail = 0;
  std::size_t offset = 0;  // octet offset in the datagram (or decrypted chain)
  std::string message;

  // "INVALID_SYNTAX at offset 40: payload length 3 below 4"
  [[nodiscard]] std::string to_string() const;
};

template <class T>
using ParseResult = answerd::expected<T, ParseError>;

[[nodiscard]] inline answerd::unexpected<ParseError> syntax_error(std::size_t offset,
                                                                  std::string msg) {
  return answerd::unexpected(ParseError{NotifyType::kInvalidSyntax, 0, offset, std::move(msg)});
}

// Errors building a message: a field that does not fit its wire size, a payload body
// that does not match its type. These are caller bugs or absurd sizes, not input.
struct SerializeError {
  std::string message;
};

template <class T>
using SerializeResult = answerd::expected<T, SerializeError>;

}  // namespace answerd::ike
