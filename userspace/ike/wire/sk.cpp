// SK / SKF layout helpers (RFC 7296 3.14, RFC 5282 5.1, RFC 7383 2.5); see sk.h.
#include "ike/wire/sk.h"

#include <string>

#include "ike/wire/message.h"

namespace answerd::ike {
namespace {

constexpr std::size_t kGenericHeaderLen = 4;

// Points the Next Payload field of the last payload in `chain` at `next`.
void relink_last(Bytes& chain, PayloadType next) {
  std::size_t at = 0;
  while (at + kGenericHeaderLen <= chain.size()) {
    const std::size_t len = static_cast<std::size_t>(chain[at + 2] << 8 | chain[at + 3]);
    if (at + len >= chain.size() || len < kGenericHeaderLen) break;
    at += len;
  }
  if (at < chain.size()) chain[at] = static_cast<std::uint8_t>(next);
}

SerializeResult<EncryptedLayout> layout(const Header& h, std::span<const Payload> plain, PayloadType sk_type,
                                        PayloadType first_inner, std::span<const std::uint8_t> extra,
                                        std::size_t encrypted_len) {
  for (const auto& p : plain)
    if (p.type == PayloadType::kSk || p.type == PayloadType::kSkf)
      return answerd::unexpected(SerializeError{"plain payloads may not contain SK/SKF"});
  auto prefix = serialize_payload_chain(plain);
  if (!prefix) return answerd::unexpected(prefix.error());
  if (!plain.empty()) relink_last(*prefix, sk_type);
  const std::size_t sk_len = kGenericHeaderLen + extra.size() + encrypted_len;
  if (sk_len > 0xffff) return answerd::unexpected(SerializeError{"encrypted payload too large"});
  const std::size_t total = kIkeHeaderLen + prefix->size() + sk_len;
  EncryptedLayout out;
  out.message.reserve(total);
  write_header(h, plain.empty() ? sk_type : plain.front().type, static_cast<std::uint32_t>(total), out.message);
  out.message.insert(out.message.end(), prefix->begin(), prefix->end());
  ByteWriter w(out.message);
  w.u8(static_cast<std::uint8_t>(first_inner));
  w.u8(0);
  w.u16(static_cast<std::uint16_t>(sk_len));
  w.bytes(extra);
  out.encrypted_offset = out.message.size();
  out.encrypted_len = encrypted_len;
  w.zeros(encrypted_len);
  return out;
}

}  // namespace

SerializeResult<EncryptedLayout> build_sk_message(const Header& h, PayloadType first_inner, std::size_t encrypted_len,
                                                  std::span<const Payload> plain) {
  return layout(h, plain, PayloadType::kSk, first_inner, {}, encrypted_len);
}

SerializeResult<EncryptedLayout> build_skf_message(const Header& h, PayloadType first_inner, std::uint16_t number,
                                                   std::uint16_t total, std::size_t encrypted_len) {
  if (number == 0 || number > total)
    return answerd::unexpected(SerializeError{"fragment " + std::to_string(number) + " of " + std::to_string(total)});
  Bytes fields;
  ByteWriter w(fields);
  w.u16(number);
  w.u16(total);
  return layout(h, {}, PayloadType::kSkf, number == 1 ? first_inner : PayloadType::kNone, fields, encrypted_len);
}

ParseResult<EncryptedView> locate_encrypted(std::span<const std::uint8_t> datagram) {
  auto m = parse_message(datagram);
  if (!m) return answerd::unexpected(m.error());
  if (m->payloads.empty()) return syntax_error(kIkeHeaderLen, "no encrypted payload");
  const Payload& last = m->payloads.back();
  EncryptedView v;
  v.type = last.type;
  std::size_t enc_len = 0;
  if (const auto* sk = std::get_if<SkPayload>(&last.body)) {
    v.first_inner = sk->first_inner;
    enc_len = sk->encrypted.size();
  } else if (const auto* skf = std::get_if<SkfPayload>(&last.body)) {
    v.first_inner = skf->first_inner;
    v.fragment_number = skf->fragment_number;
    v.total_fragments = skf->total_fragments;
    enc_len = skf->encrypted.size();
  } else {
    return syntax_error(kIkeHeaderLen, "no encrypted payload");
  }
  // SK/SKF is last and extends to the end of the datagram (checked by the parser).
  v.encrypted_offset = datagram.size() - enc_len;
  v.aad = datagram.first(v.encrypted_offset);
  v.encrypted = datagram.subspan(v.encrypted_offset);
  return v;
}

Bytes sk_pad(std::span<const std::uint8_t> plaintext, std::size_t block_size) {
  if (block_size == 0) block_size = 1;
  Bytes out(plaintext.begin(), plaintext.end());
  const std::size_t pad = (block_size - (plaintext.size() + 1) % block_size) % block_size;
  out.insert(out.end(), pad, 0);
  out.push_back(static_cast<std::uint8_t>(pad));
  return out;
}

ParseResult<std::span<const std::uint8_t>> sk_unpad(std::span<const std::uint8_t> decrypted) {
  if (decrypted.empty()) return syntax_error(0, "empty decrypted SK payload");
  const std::size_t pad = decrypted.back();
  if (pad + 1 > decrypted.size())
    return syntax_error(decrypted.size() - 1, "pad length " + std::to_string(pad) + " exceeds decrypted data");
  return decrypted.first(decrypted.size() - pad - 1);
}

}  // namespace answerd::ike
