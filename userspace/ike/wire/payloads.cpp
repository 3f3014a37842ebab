// Helpers of the data model in payloads.h: builders, lookups, derived fields.
#include "ike/wire/payloads.h"

#include "ike/wire/codec.h"

namespace answerd::ike {

std::optional<std::uint16_t> Transform::key_length() const {
  for (const auto& a : attributes)
    if (a.tv && a.type == static_cast<std::uint16_t>(TransformAttr::kKeyLength)) return a.tv_value;
  return std::nullopt;
}

Transform make_transform(TransformType type, std::uint16_t id, std::optional<std::uint16_t> key_length) {
  Transform t{type, id, {}};
  if (key_length)
    t.attributes.push_back({static_cast<std::uint16_t>(TransformAttr::kKeyLength), true, *key_length, {}});
  return t;
}

std::uint8_t EapPayload::eap_type() const {
  // RFC 3748 4: Request (1) and Response (2) carry a Type octet after the header.
  if (message.size() < 5 || (message[0] != 1 && message[0] != 2)) return 0;
  return message[4];
}

namespace {
Payload wrap(PayloadType t, PayloadBody b) { return Payload{t, false, std::move(b)}; }
}  // namespace

Payload make_payload(SaPayload b) { return wrap(PayloadType::kSa, std::move(b)); }
Payload make_payload(KePayload b) { return wrap(PayloadType::kKe, std::move(b)); }
Payload make_payload(NoncePayload b) { return wrap(PayloadType::kNonce, std::move(b)); }
Payload make_payload(AuthPayload b) { return wrap(PayloadType::kAuth, std::move(b)); }
Payload make_payload(NotifyPayload b) { return wrap(PayloadType::kNotify, std::move(b)); }
Payload make_payload(DeletePayload b) { return wrap(PayloadType::kDelete, std::move(b)); }
Payload make_payload(VendorIdPayload b) { return wrap(PayloadType::kVendorId, std::move(b)); }
Payload make_payload(CpPayload b) { return wrap(PayloadType::kCp, std::move(b)); }
Payload make_payload(EapPayload b) { return wrap(PayloadType::kEap, std::move(b)); }
Payload make_payload(SkPayload b) { return wrap(PayloadType::kSk, std::move(b)); }
Payload make_payload(SkfPayload b) { return wrap(PayloadType::kSkf, std::move(b)); }
Payload make_payload(PayloadType type, IdPayload b) { return wrap(type, std::move(b)); }
Payload make_payload(PayloadType type, CertPayload b) { return wrap(type, std::move(b)); }
Payload make_payload(PayloadType type, TsPayload b) { return wrap(type, std::move(b)); }
Payload make_notify(NotifyType type, Bytes data) {
  return make_payload(NotifyPayload{0, {}, type, std::move(data)});
}

bool body_matches_type(PayloadType type, const PayloadBody& body) {
  switch (type) {
    case PayloadType::kSa: return std::holds_alternative<SaPayload>(body);
    case PayloadType::kKe: return std::holds_alternative<KePayload>(body);
    case PayloadType::kIdi:
    case PayloadType::kIdr: return std::holds_alternative<IdPayload>(body);
    case PayloadType::kCert:
    case PayloadType::kCertreq: return std::holds_alternative<CertPayload>(body);
    case PayloadType::kAuth: return std::holds_alternative<AuthPayload>(body);
    case PayloadType::kNonce: return std::holds_alternative<NoncePayload>(body);
    case PayloadType::kNotify: return std::holds_alternative<NotifyPayload>(body);
    case PayloadType::kDelete: return std::holds_alternative<DeletePayload>(body);
    case PayloadType::kVendorId: return std::holds_alternative<VendorIdPayload>(body);
    case PayloadType::kTsi:
    case PayloadType::kTsr: return std::holds_alternative<TsPayload>(body);
    case PayloadType::kSk: return std::holds_alternative<SkPayload>(body);
    case PayloadType::kSkf: return std::holds_alternative<SkfPayload>(body);
    case PayloadType::kCp: return std::holds_alternative<CpPayload>(body);
    case PayloadType::kEap: return std::holds_alternative<EapPayload>(body);
    default: return !detail::is_known_payload(type) && std::holds_alternative<UnknownPayload>(body);
  }
}

const Payload* find_payload(const std::vector<Payload>& ps, PayloadType type) {
  for (const auto& p : ps)
    if (p.type == type) return &p;
  return nullptr;
}

const NotifyPayload* find_notify(const std::vector<Payload>& ps, NotifyType type) {
  for (const auto& p : ps)
    if (const auto* n = std::get_if<NotifyPayload>(&p.body); n && n->type == type) return n;
  return nullptr;
}

}  // namespace answerd::ike
