// Internal: decoding and encoding of each payload body (RFC 7296 3.3-3.16,
// RFC 7383 2.5). The generic payload header and chaining are in message.cpp.
#pragma once

#include <cstddef>
#include <span>

#include "ike/wire/error.h"
#include "ike/wire/payloads.h"

namespace answerd::ike::detail {

// `body` excludes the 4-octet generic header; `offset` is body's absolute offset.
// `next` is the generic header's Next Payload (the first inner type for SK/SKF).
[[nodiscard]] ParseResult<PayloadBody> parse_body(PayloadType type, PayloadType next,
                                                  std::span<const std::uint8_t> body,
                                                  std::size_t offset);

// Appends the body (no generic header). Fails when a field overflows its size.
[[nodiscard]] SerializeResult<bool> write_body(const PayloadBody& body, Bytes& out);

// Whether the codec decodes this payload type (others become UnknownPayload).
[[nodiscard]] bool is_known_payload(PayloadType type);

}  // namespace answerd::ike::detail
