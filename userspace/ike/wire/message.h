// Public entry points of the IKEv2 codec (RFC 7296 sections 2 and 3): decode a UDP
// payload (after any non-ESP marker) into a Message, decode a decrypted SK payload
// chain, and serialize both back. Pure: no sockets, no crypto, no allocation beyond
// the result. Every failure is a ParseError saying which notify a responder would
// send; nothing throws.
//
// Rules enforced here (the per-exchange payload rules are in rules.h):
//  - header: datagram >= 28 octets, major version 2 (else INVALID_MAJOR_VERSION
//    with the received version as detail), Length field equal to the datagram size;
//  - each payload: length >= 4 and within what is left; bodies with sizes, counts
//    and substructure lengths that add up exactly;
//  - unknown payload types: kept as UnknownPayload when the critical bit is clear,
//    UNSUPPORTED_CRITICAL_PAYLOAD (detail = type) when set (RFC 7296 2.5);
//  - SK/SKF ends the outer chain (its Next Payload names the first inner payload)
//    and must extend to the end of the message; it may not appear in a decrypted chain.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ike/wire/error.h"
#include "ike/wire/payloads.h"

namespace answerd::ike {

// Decodes and checks only the 28-octet header.
[[nodiscard]] ParseResult<Header> parse_header(std::span<const std::uint8_t> datagram);

// Decodes a whole message. SK/SKF bodies stay encrypted (see sk.h).
[[nodiscard]] ParseResult<Message> parse_message(std::span<const std::uint8_t> datagram);

// Decodes a payload chain that starts with payload type `first`, e.g. the
// decrypted content of an SK payload (after removing padding, see sk_unpad()).
// `base_offset` is added to offsets in errors.
[[nodiscard]] ParseResult<std::vector<Payload>> parse_payload_chain(
    PayloadType first, std::span<const std::uint8_t> data, std::size_t base_offset = 0);

// Serializes payloads with their generic headers, chaining Next Payload fields.
// The first payload's type is what the enclosing header/SK payload must name
// (chain_first_type()). An SK/SKF payload must be the last one.
[[nodiscard]] SerializeResult<Bytes> serialize_payload_chain(std::span<const Payload> payloads);
[[nodiscard]] PayloadType chain_first_type(std::span<const Payload> payloads);

// Serializes a message; header.next_payload and header.length are computed.
[[nodiscard]] SerializeResult<Bytes> serialize_message(const Message& m);

// The body of one payload without its generic header, e.g. the
// "RestOfInitIDPayload"/"RestOfRespIDPayload" octets (ID Type, RESERVED,
// identification data) that the AUTH computation of RFC 7296 2.15 hashes.
[[nodiscard]] SerializeResult<Bytes> serialize_body(const PayloadBody& body);

// Writes the 28-octet header with the given Next Payload and Length fields.
void write_header(const Header& h, PayloadType next, std::uint32_t length, Bytes& out);

}  // namespace answerd::ike
