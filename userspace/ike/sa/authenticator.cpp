// PSK authentication (RFC 7296 2.15) and identity conversions (RFC 7296 3.5).
#include "ike/sa/authenticator.h"

#include <algorithm>

#include "ike/crypto/pki/identity.h"
#include "ike/crypto/psk_auth.h"

namespace answerd::sa {
namespace {

crypto::PskAuthInput input_of(const AuthContext& c) {
  return crypto::PskAuthInput{.real_message = c.real_message, .peer_nonce = c.peer_nonce, .sk_p = c.sk_p,
                              .id_body = c.id_body};
}

const config::Secret* psk_for(const config::Config& cfg, const AuthContext& c) {
  if (c.local_id == nullptr || c.remote_id == nullptr) return nullptr;
  return find_psk(cfg, *c.local_id, *c.remote_id);
}

}  // namespace

expected<AuthVerified, AuthError> PskAuthenticator::verify(const AuthContext& peer,
                                                           const ike::AuthPayload& auth) const {
  if (auth.method != ike::AuthMethod::kSharedKeyMic)
    return unexpected(AuthError("AUTH method " + std::to_string(static_cast<int>(auth.method)) +
                                " where a pre-shared key is expected"));
  const config::Secret* s = psk_for(*cfg_, peer);
  if (s == nullptr) return unexpected(AuthError("no pre-shared key for this pair of identities"));
  if (!crypto::verify_psk_auth(peer.prf, s->data.view(), input_of(peer), auth.data))
    return unexpected(AuthError("pre-shared key AUTH does not verify"));
  return AuthVerified{.detail = "pre-shared key '" + s->name + "'", .rsa_pss = false};
}

expected<ike::AuthPayload, AuthError> PskAuthenticator::build(const AuthContext& self) const {
  const config::Secret* s = psk_for(*cfg_, self);
  if (s == nullptr) return unexpected(AuthError("no pre-shared key for our identity"));
  auto v = crypto::psk_auth(self.prf, s->data.view(), input_of(self));
  if (!v) return unexpected(AuthError("PSK AUTH computation failed"));
  return ike::AuthPayload{ike::AuthMethod::kSharedKeyMic, std::move(*v)};
}

// strongSwan's shared-key lookup (mem_cred get_shared): each identity is scored
// against the secret's ids (exact 2, %any 1, none 0; a secret without ids is %any
// for both); a secret where neither identity matches is skipped; the best sum wins.
const config::Secret* find_psk(const config::Config& cfg, const config::Identity& local,
                               const config::Identity& remote) {
  auto score = [](const config::Secret& s, const config::Identity& who) {
    if (s.ids.empty()) return 1;
    int best = 0;
    for (const auto& id : s.ids)
      if (config::matches(id, who)) best = std::max(best, id.kind == config::Identity::Kind::kAny ? 1 : 2);
    return best;
  };
  const config::Secret* best = nullptr;
  int best_score = 0;
  for (const auto& s : cfg.secrets) {
    if (s.type != config::Secret::Type::kIke) continue;
    const int l = score(s, local), r = score(s, remote);
    if (l == 0 && r == 0) continue;
    if (l + r > best_score) {
      best = &s;
      best_score = l + r;
    }
  }
  return best;
}

std::optional<config::Identity> identity_from_wire(const ike::IdPayload& id) {
  const std::string text(id.data.begin(), id.data.end());
  config::Identity out;
  switch (id.id_type) {
    case ike::IdType::kIpv4Addr:
    case ike::IdType::kIpv6Addr: {
      const std::size_t n = id.id_type == ike::IdType::kIpv4Addr ? 4 : 16;
      if (id.data.size() != n) return std::nullopt;
      out.kind = n == 4 ? config::Identity::Kind::kIpv4 : config::Identity::Kind::kIpv6;
      out.addr.family = n == 4 ? 4 : 6;
      std::copy(id.data.begin(), id.data.end(), out.addr.bytes.begin());
      out.text = config::to_string(out.addr);
      return out;
    }
    case ike::IdType::kFqdn: out.kind = config::Identity::Kind::kFqdn; break;
    case ike::IdType::kRfc822Addr: out.kind = config::Identity::Kind::kRfc822; break;
    case ike::IdType::kKeyId: out.kind = config::Identity::Kind::kKeyId; break;
    case ike::IdType::kDerAsn1Dn: {  // RFC 7296 3.5: a DER Name, matched RDN by RDN
      auto dn = crypto::pki::parse_dn(id.data);
      if (!dn) return std::nullopt;
      out.kind = config::Identity::Kind::kDn;
      for (auto& a : *dn) out.rdns.push_back(config::Rdn{.type = a.type, .oid = a.oid, .value = a.value});
      out.text = crypto::pki::dn_to_string(*dn);
      return out;
    }
    default: return std::nullopt;
  }
  out.value = text;
  out.text = text;
  return out;
}

ike::IdPayload identity_to_wire(const config::Identity& id, const config::IpAddress& fallback) {
  using K = config::Identity::Kind;
  auto addr_id = [](const config::IpAddress& a) {
    return ike::IdPayload{a.family == 4 ? ike::IdType::kIpv4Addr : ike::IdType::kIpv6Addr,
                          ike::Bytes(a.bytes.begin(), a.bytes.begin() + (a.family == 4 ? 4 : 16))};
  };
  switch (id.kind) {
    case K::kIpv4:
    case K::kIpv6: return addr_id(id.addr);
    case K::kFqdn: return {ike::IdType::kFqdn, ike::Bytes(id.value.begin(), id.value.end())};
    case K::kRfc822: return {ike::IdType::kRfc822Addr, ike::Bytes(id.value.begin(), id.value.end())};
    case K::kKeyId: return {ike::IdType::kKeyId, ike::Bytes(id.value.begin(), id.value.end())};
    case K::kDn:  // with pubkey our certificate's DER subject goes out (auth_pubkey.h own_id)
    case K::kAny: break;
  }
  return addr_id(fallback);
}

std::string identity_text(const ike::IdPayload& id) {
  if (auto i = identity_from_wire(id)) return i->text;
  return "<" + std::to_string(static_cast<int>(id.id_type)) + ">";
}

}  // namespace answerd::sa
