// The IKEv2 message data model (RFC 7296 section 3): header, one struct per payload
// body, and Payload = {type, critical, body}. Bodies hold host-order values and
// octet strings; byte order lives in the codec (codec.cpp, message.cpp).
// IDi/IDr share IdPayload, CERT/CERTREQ share CertPayload and TSi/TSr share
// TsPayload: the Payload's `type` says which one it is.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "ike/wire/bytes.h"
#include "ike/wire/iana.h"
#include "ike/wire/notify_types.h"
#include "ike/wire/types.h"

namespace answerd::ike {

// RFC 7296 3.1 IKE Header. `next_payload` and `length` are filled by the parser
// and recomputed by the serializer.
struct Header {
  IkeSpi spi_i;
  IkeSpi spi_r;
  PayloadType next_payload = PayloadType::kNone;
  std::uint8_t major_version = 2;
  std::uint8_t minor_version = 0;
  ExchangeType exchange = ExchangeType::kIkeSaInit;
  std::uint8_t flags = 0;  // kFlagInitiator | kFlagResponse | kFlagVersion
  MessageId message_id;
  std::uint32_t length = 0;

  [[nodiscard]] bool initiator() const { return (flags & kFlagInitiator) != 0; }
  [[nodiscard]] bool response() const { return (flags & kFlagResponse) != 0; }
  bool operator==(const Header&) const = default;
};

// RFC 7296 3.3.5 Transform Attributes: TV (AF=1, 2-octet value) or TLV.
struct TransformAttribute {
  std::uint16_t type = 0;  // without the AF bit
  bool tv = true;
  std::uint16_t tv_value = 0;  // when tv
  Bytes tlv_value;             // when !tv
  bool operator==(const TransformAttribute&) const = default;
};

// RFC 7296 3.3.2 Transform Substructure.
struct Transform {
  TransformType type = TransformType::kEncr;
  std::uint16_t id = 0;
  std::vector<TransformAttribute> attributes;

  // Key Length attribute (bits), if present.
  [[nodiscard]] std::optional<std::uint16_t> key_length() const;
  bool operator==(const Transform&) const = default;
};
[[nodiscard]] Transform make_transform(TransformType type, std::uint16_t id,
                                       std::optional<std::uint16_t> key_length = std::nullopt);

// RFC 7296 3.3.1 Proposal Substructure.
struct Proposal {
  std::uint8_t number = 1;
  ProtocolId protocol = ProtocolId::kIke;
  Bytes spi;  // empty for IKE_SA_INIT, 8 octets for an IKE rekey, 4 for ESP/AH
  std::vector<Transform> transforms;
  bool operator==(const Proposal&) const = default;
};

// RFC 7296 3.3 Security Association payload.
struct SaPayload {
  std::vector<Proposal> proposals;
  bool operator==(const SaPayload&) const = default;
};

// RFC 7296 3.4 Key Exchange payload.
struct KePayload {
  DhGroup group = DhGroup::kNone;
  Bytes data;
  bool operator==(const KePayload&) const = default;
};

// RFC 7296 3.5 Identification payloads (IDi, IDr).
struct IdPayload {
  IdType id_type = IdType::kFqdn;
  Bytes data;
  bool operator==(const IdPayload&) const = default;
};

// RFC 7296 3.6 Certificate and 3.7 Certificate Request payloads (CERT, CERTREQ).
struct CertPayload {
  CertEncoding encoding = CertEncoding::kX509Signature;
  Bytes data;  // CERTREQ: concatenated SHA-1 hashes of CA public keys
  bool operator==(const CertPayload&) const = default;
};

// RFC 7296 3.8 Authentication payload.
struct AuthPayload {
  AuthMethod method = AuthMethod::kSharedKeyMic;
  Bytes data;
  bool operator==(const AuthPayload&) const = default;
};

// RFC 7296 3.9 Nonce payload (16..256 octets, checked by the parser).
struct NoncePayload {
  Bytes data;
  bool operator==(const NoncePayload&) const = default;
};

// RFC 7296 3.10 Notify payload. `protocol` is 0 when no SPI is given.
struct NotifyPayload {
  std::uint8_t protocol = 0;
  Bytes spi;
  NotifyType type = NotifyType::kInitialContact;
  Bytes data;
  bool operator==(const NotifyPayload&) const = default;
};

// RFC 7296 3.11 Delete payload: SPI size 0 (IKE SA) or 4 (ESP/AH).
struct DeletePayload {
  ProtocolId protocol = ProtocolId::kEsp;
  std::uint8_t spi_size = 4;
  std::vector<Bytes> spis;
  bool operator==(const DeletePayload&) const = default;
};

// RFC 7296 3.12 Vendor ID payload.
struct VendorIdPayload {
  Bytes data;
  bool operator==(const VendorIdPayload&) const = default;
};

// RFC 7296 3.13.1 Traffic Selector. Known types (7, 8) fill the fields; other types
// keep their body (after type and length) in `raw`.
struct TrafficSelector {
  TsType ts_type = TsType::kIpv4AddrRange;
  std::uint8_t ip_protocol = 0;  // 0 = any
  std::uint16_t start_port = 0;
  std::uint16_t end_port = 0xffff;
  Bytes start_addr;  // 4 or 16 octets
  Bytes end_addr;
  Bytes raw;  // unknown TS types only
  bool operator==(const TrafficSelector&) const = default;
};

// RFC 7296 3.13 Traffic Selector payloads (TSi, TSr).
struct TsPayload {
  std::vector<TrafficSelector> selectors;
  bool operator==(const TsPayload&) const = default;
};

// RFC 7296 3.14 Encrypted and Authenticated payload: IV, ciphertext with padding
// and pad length, ICV, kept as one octet string; the Next Payload field of its
// generic header names the first inner payload.
struct SkPayload {
  PayloadType first_inner = PayloadType::kNone;
  Bytes encrypted;
  bool operator==(const SkPayload&) const = default;
};

// RFC 7383 2.5 Encrypted Fragment payload. `first_inner` is non-zero only in
// fragment number 1.
struct SkfPayload {
  PayloadType first_inner = PayloadType::kNone;
  std::uint16_t fragment_number = 1;
  std::uint16_t total_fragments = 1;
  Bytes encrypted;
  bool operator==(const SkfPayload&) const = default;
};

// RFC 7296 3.15.1 Configuration Attribute.
struct CfgAttribute {
  std::uint16_t type = 0;  // CfgAttr, 15 bits
  Bytes value;
  bool operator==(const CfgAttribute&) const = default;
};

// RFC 7296 3.15 Configuration payload.
struct CpPayload {
  CfgType cfg_type = CfgType::kRequest;
  std::vector<CfgAttribute> attributes;
  bool operator==(const CpPayload&) const = default;
};

// RFC 7296 3.16 EAP payload: one EAP message (RFC 3748), kept whole; the parser
// checks that the EAP Length field matches.
struct EapPayload {
  Bytes message;
  [[nodiscard]] std::uint8_t code() const { return message.empty() ? 0 : message[0]; }
  [[nodiscard]] std::uint8_t identifier() const { return message.size() < 2 ? 0 : message[1]; }
  // EAP Type of Request/Response (code 1/2), 0 otherwise.
  [[nodiscard]] std::uint8_t eap_type() const;
  bool operator==(const EapPayload&) const = default;
};

// A payload type the codec does not decode (unknown or unsupported and not
// critical): kept so that it can be logged, skipped and re-serialized.
struct UnknownPayload {
  Bytes body;
  bool operator==(const UnknownPayload&) const = default;
};

using PayloadBody =
    std::variant<SaPayload, KePayload, IdPayload, CertPayload, AuthPayload, NoncePayload,
                 NotifyPayload, DeletePayload, VendorIdPayload, TsPayload, SkPayload,
                 SkfPayload, CpPayload, EapPayload, UnknownPayload>;

// RFC 7296 3.2 Generic Payload Header + body.
struct Payload {
  PayloadType type = PayloadType::kNone;
  bool critical = false;
  PayloadBody body;
  bool operator==(const Payload&) const = default;
};

struct Message {
  Header header;
  std::vector<Payload> payloads;
  bool operator==(const Message&) const = default;
};

// Builders that pair each body with its payload type (critical bit clear).
[[nodiscard]] Payload make_payload(SaPayload b);
[[nodiscard]] Payload make_payload(KePayload b);
[[nodiscard]] Payload make_payload(NoncePayload b);
[[nodiscard]] Payload make_payload(AuthPayload b);
[[nodiscard]] Payload make_payload(NotifyPayload b);
[[nodiscard]] Payload make_payload(DeletePayload b);
[[nodiscard]] Payload make_payload(VendorIdPayload b);
[[nodiscard]] Payload make_payload(CpPayload b);
[[nodiscard]] Payload make_payload(EapPayload b);
[[nodiscard]] Payload make_payload(SkPayload b);
[[nodiscard]] Payload make_payload(SkfPayload b);
// Types with two payload kinds: the caller names it (IDi/IDr, CERT/CERTREQ, TSi/TSr).
[[nodiscard]] Payload make_payload(PayloadType type, IdPayload b);
[[nodiscard]] Payload make_payload(PayloadType type, CertPayload b);
[[nodiscard]] Payload make_payload(PayloadType type, TsPayload b);
[[nodiscard]] Payload make_notify(NotifyType type, Bytes data = {});

// Whether `body` is the right alternative for payload `type` (unknown types take
// UnknownPayload).
[[nodiscard]] bool body_matches_type(PayloadType type, const PayloadBody& body);

// Lookups over a payload list.
[[nodiscard]] const Payload* find_payload(const std::vector<Payload>& ps, PayloadType type);
[[nodiscard]] const NotifyPayload* find_notify(const std::vector<Payload>& ps, NotifyType type);
template <class Body>
[[nodiscard]] const Body* body_of(const Payload& p) {
  return std::get_if<Body>(&p.body);
}

}  // namespace answerd::ike
