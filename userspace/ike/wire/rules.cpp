// Per-exchange payload rules (see rules.h). Each table lists every payload type the
// message may carry with its minimum and maximum count; anything else is refused.
#include "ike/wire/rules.h"

#include <array>
#include <string>

#include "ike/wire/names.h"

namespace answerd::ike {
namespace {

using P = PayloadType;

// RFC 7296 1.2: HDR, SAi1, KEi, Ni, [N(COOKIE)], [N(NAT_D)...], [V]
constexpr std::array<PayloadRule, 5> kIkeSaInitReq{{
    {P::kNotify, 0, kMany, false},
    {P::kSa, 1, 1, false},
    {P::kKe, 1, 1, false},
    {P::kNonce, 1, 1, false},
    {P::kVendorId, 0, kMany, false},
}};
// RFC 7296 1.2 / 2.6 / 1.3: HDR, SAr1, KEr, Nr, [CERTREQ], or HDR, N(error|COOKIE)
constexpr std::array<PayloadRule, 6> kIkeSaInitResp{{
    {P::kNotify, 0, kMany, true},
    {P::kSa, 1, 1, false},
    {P::kKe, 1, 1, false},
    {P::kNonce, 1, 1, false},
    {P::kCertreq, 0, kMany, false},
    {P::kVendorId, 0, kMany, false},
}};
// RFC 7296 1.2 / 2.16: SK {IDi, [CERT+], [N(INITIAL_CONTACT)], [CERTREQ+], [IDr],
// AUTH, [CP], SAi2, TSi, TSr}; EAP rounds carry only EAP or AUTH; RFC 6023 omits
// SA/TS (childless).
constexpr std::array<PayloadRule, 12> kIkeAuthReq{{
    {P::kNotify, 0, kMany, false},
    {P::kIdi, 0, 1, false},
    {P::kCert, 0, kMany, false},
    {P::kCertreq, 0, kMany, false},
    {P::kIdr, 0, 1, false},
    {P::kAuth, 0, 1, false},
    {P::kEap, 0, 1, false},
    {P::kCp, 0, 1, false},
    {P::kSa, 0, 1, false},
    {P::kTsi, 0, 1, false},
    {P::kTsr, 0, 1, false},
    {P::kVendorId, 0, kMany, false},
}};
// RFC 7296 1.2: SK {IDr, [CERT+], AUTH, [CP], SAr2, TSi, TSr}
constexpr std::array<PayloadRule, 10> kIkeAuthResp{{
    {P::kNotify, 0, kMany, true},
    {P::kIdr, 0, 1, false},
    {P::kCert, 0, kMany, false},
    {P::kAuth, 0, 1, false},
    {P::kEap, 0, 1, false},
    {P::kCp, 0, 1, false},
    {P::kSa, 0, 1, false},
    {P::kTsi, 0, 1, false},
    {P::kTsr, 0, 1, false},
    {P::kVendorId, 0, kMany, false},
}};
// RFC 7296 1.3: SK {[N(REKEY_SA)], [N+], SA, Ni, [KEi], [TSi, TSr]}
constexpr std::array<PayloadRule, 7> kCreateChildReq{{
    {P::kNotify, 0, kMany, false},
    {P::kSa, 1, 1, false},
    {P::kNonce, 1, 1, false},
    {P::kKe, 0, 1, false},
    {P::kTsi, 0, 1, false},
    {P::kTsr, 0, 1, false},
    {P::kVendorId, 0, kMany, false},
}};
// RFC 7296 1.3: SK {SA, Nr, [KEr], [TSi, TSr]} or SK {N(error)}
constexpr std::array<PayloadRule, 7> kCreateChildResp{{
    {P::kNotify, 0, kMany, true},
    {P::kSa, 1, 1, false},
    {P::kNonce, 1, 1, false},
    {P::kKe, 0, 1, false},
    {P::kTsi, 0, 1, false},
    {P::kTsr, 0, 1, false},
    {P::kVendorId, 0, kMany, false},
}};
// RFC 7296 1.4 / 1.5: SK {[N], [D], [CP]}
constexpr std::array<PayloadRule, 4> kInformational{{
    {P::kNotify, 0, kMany, false},
    {P::kDelete, 0, kMany, false},
    {P::kCp, 0, 1, false},
    {P::kVendorId, 0, kMany, false},
}};
// RFC 9242 3: SK {[N+], ...} (additional key exchanges of RFC 9370 add KE)
constexpr std::array<PayloadRule, 4> kIntermediate{{
    {P::kNotify, 0, kMany, false},
    {P::kKe, 0, 1, false},
    {P::kNonce, 0, 1, false},
    {P::kVendorId, 0, kMany, false},
}};

constexpr std::array<MessageRule, 10> kRules{{
    {ExchangeType::kIkeSaInit, false, false, kIkeSaInitReq},
    {ExchangeType::kIkeSaInit, true, false, kIkeSaInitResp},
    {ExchangeType::kIkeAuth, false, true, kIkeAuthReq},
    {ExchangeType::kIkeAuth, true, true, kIkeAuthResp},
    {ExchangeType::kCreateChildSa, false, true, kCreateChildReq},
    {ExchangeType::kCreateChildSa, true, true, kCreateChildResp},
    {ExchangeType::kInformational, false, true, kInformational},
    {ExchangeType::kInformational, true, true, kInformational},
    {ExchangeType::kIkeIntermediate, false, true, kIntermediate},
    {ExchangeType::kIkeIntermediate, true, true, kIntermediate},
}};

std::string what(ExchangeType e, bool response) {
  return to_string(e) + (response ? " response" : " request");
}

bool voids_minimums(const Payload& p) {
  const auto* n = std::get_if<NotifyPayload>(&p.body);
  return n && (is_error(n->type) || n->type == NotifyType::kCookie);
}

// The outer payloads of an encrypted exchange: one SK or SKF, nothing else known.
ParseResult<void> check_outer_encrypted(const MessageRule& rule, std::span<const Payload> payloads) {
  std::size_t encrypted = 0;
  for (const auto& p : payloads) {
    if (std::holds_alternative<UnknownPayload>(p.body)) continue;
    if (p.type == P::kSk || p.type == P::kSkf) {
      ++encrypted;
      continue;
    }
    return syntax_error(0, to_string(p.type) + " payload outside SK in " + what(rule.exchange, rule.response));
  }
  if (encrypted != 1) return syntax_error(0, what(rule.exchange, rule.response) + " without an SK payload");
  return {};
}

const Payload* find_type(std::span<const Payload> ps, PayloadType t) {
  for (const auto& p : ps)
    if (p.type == t) return &p;
  return nullptr;
}

}  // namespace

std::optional<MessageRule> find_rule(ExchangeType exchange, bool response) {
  for (const auto& r : kRules)
    if (r.exchange == exchange && r.response == response) return r;
  return std::nullopt;
}

ParseResult<void> check_payload_rules(ExchangeType exchange, bool response, std::span<const Payload> payloads,
                                      bool inner) {
  auto rule = find_rule(exchange, response);
  if (!rule) return syntax_error(18, "unsupported exchange type " + to_string(exchange));
  if (rule->encrypted && !inner) return check_outer_encrypted(*rule, payloads);
  if (!rule->encrypted && inner) return syntax_error(0, what(exchange, response) + " is not encrypted");
  bool minimums_void = false;
  for (const auto& p : payloads) {
    if (std::holds_alternative<UnknownPayload>(p.body)) continue;
    bool allowed = false;
    for (const auto& r : rule->payloads) {
      if (r.type != p.type || r.max == 0) continue;
      allowed = true;
      minimums_void = minimums_void || (r.sufficient && voids_minimums(p));
    }
    if (!allowed) return syntax_error(0, to_string(p.type) + " payload not allowed in " + what(exchange, response));
  }
  for (const auto& r : rule->payloads) {
    std::size_t n = 0;
    for (const auto& p : payloads) n += p.type == r.type ? 1 : 0;
    if (r.max != kMany && n > r.max)
      return syntax_error(0, std::to_string(n) + " " + to_string(r.type) + " payloads in " + what(exchange, response));
    if (n < r.min && !minimums_void)
      return syntax_error(0, to_string(r.type) + " payload missing in " + what(exchange, response));
  }
  // RFC 7296 2.9: traffic selectors come as a pair.
  if ((find_type(payloads, P::kTsi) != nullptr) != (find_type(payloads, P::kTsr) != nullptr))
    return syntax_error(0, "TSi without TSr (or TSr without TSi) in " + what(exchange, response));
  return {};
}

}  // namespace answerd::ike
