// Identity and DN matching against certificates (see identity.h).
#include "ike/crypto/pki/identity.h"

#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <string_view>

#include "ike/crypto/pki/der.h"
#include "ike/crypto/pki/pki_impl.h"

namespace answerd::crypto::pki {

namespace {

struct Atv {
  Bytes oid;
  std::uint8_t tag;
  Bytes value;
};

// Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue).
std::optional<std::vector<Atv>> flatten(Bytes der) {
  auto name = der::single(der, der::kSequence);
  if (!name) return std::nullopt;
  std::vector<Atv> out;
  der::Reader rdns(name->value);
  while (!rdns.empty()) {
    auto set = rdns.expect(der::kSet);
    if (!set || set->value.empty()) return std::nullopt;
    der::Reader atvs(set->value);
    while (!atvs.empty()) {
      auto atv = atvs.expect(der::kSequence);
      if (!atv) return std::nullopt;
      der::Reader r(atv->value);
      auto oid = r.expect(der::kOid);
      auto val = r.next();
      if (!oid || oid->value.empty() || !val || !r.empty()) return std::nullopt;
      out.push_back({oid->value, val->tag, val->value});
      if (out.size() > 64) return std::nullopt;
    }
  }
  return out;
}

std::optional<std::string> dotted(Bytes oid) {
  std::string s;
  std::uint64_t v = 0;
  bool first = true;
  for (std::size_t i = 0; i < oid.size(); ++i) {
    if (v > (UINT64_MAX >> 7)) return std::nullopt;
    v = v << 7 | (oid[i] & 0x7f);
    if (oid[i] & 0x80) {
      if (i + 1 == oid.size()) return std::nullopt;  // truncated arc
      continue;
    }
    if (first) {
      const std::uint64_t a = v < 80 ? v / 40 : 2;
      s = std::to_string(a) + "." + std::to_string(v - 40 * a);
      first = false;
    } else {
      s += "." + std::to_string(v);
    }
    v = 0;
  }
  if (first) return std::nullopt;
  return s;
}

std::string short_name(std::string_view oid) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"2.5.4.3", "CN"},  {"2.5.4.6", "C"},   {"2.5.4.7", "L"},  {"2.5.4.8", "ST"},
      {"2.5.4.10", "O"},  {"2.5.4.11", "OU"}, {"2.5.4.4", "SN"}, {"2.5.4.5", "serialNumber"},
      {"2.5.4.42", "G"},  {"2.5.4.12", "T"},  {"2.5.4.46", "dnQualifier"},
      {"1.2.840.113549.1.9.1", "E"}, {"0.9.2342.19200300.100.1.25", "DC"},
      {"0.9.2342.19200300.100.1.1", "UID"}};
  for (const auto& [o, n] : kNames)
    if (o == oid) return std::string(n);
  return std::string(oid);
}

bool ieq(Bytes a, Bytes b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](std::uint8_t x, std::uint8_t y) {
           return std::tolower(x) == std::tolower(y);
         });
}

constexpr std::uint8_t kEmailOid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01};

bool atv_matches(const Atv& p, const Atv& d) {
  if (!std::equal(p.oid.begin(), p.oid.end(), d.oid.begin(), d.oid.end())) return false;
  if (p.value.size() == 1 && p.value[0] == '*') return true;  // wildcard
  if (p.value.size() != d.value.size()) return false;
  const bool email = std::equal(p.oid.begin(), p.oid.end(), std::begin(kEmailOid), std::end(kEmailOid));
  if (p.tag == d.tag && (p.tag == der::kPrintableString || (p.tag == der::kIa5String && email)))
    return ieq(p.value, d.value);
  return std::equal(p.value.begin(), p.value.end(), d.value.begin());
}

// "*.example.com" in a certificate matches "a.example.com" (and "a.b.example.com").
bool fqdn_matches(Bytes cert_name, Bytes id) {
  if (ieq(cert_name, id)) return true;
  if (cert_name.size() < 3 || cert_name[0] != '*' || cert_name[1] != '.') return false;
  const Bytes suffix = cert_name.subspan(1);  // ".example.com"
  return id.size() > suffix.size() && ieq(id.last(suffix.size()), suffix);
}

bool bytes_eq(Bytes a, Bytes b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

bool key_id_matches(const Certificate& cert, Bytes id) {
  if (const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(x509_of(cert))) {
    const Bytes s(ASN1_STRING_get0_data(ski), static_cast<std::size_t>(ASN1_STRING_length(ski)));
    if (bytes_eq(s, id)) return true;
  }
  const KeyHash h = cert.key_hash();
  return bytes_eq(h, id);
}

}  // namespace

answerd::expected<std::vector<DnAttribute>, CryptoError> parse_dn(Bytes der) {
  auto atvs = flatten(der);
  if (!atvs) return answerd::unexpected(CryptoError::kBadEncoding);
  std::vector<DnAttribute> out;
  for (const Atv& a : *atvs) {
    auto oid = dotted(a.oid);
    if (!oid) return answerd::unexpected(CryptoError::kBadEncoding);
    out.push_back({.type = short_name(*oid),
                   .oid = *oid,
                   .tag = a.tag,
                   .value = std::string(a.value.begin(), a.value.end())});
  }
  return out;
}

std::string dn_to_string(const std::vector<DnAttribute>& dn) {
  std::string s;
  for (const auto& a : dn) {
    if (!s.empty()) s += ", ";
    s += a.type + "=" + a.value;
  }
  return s;
}

bool dn_matches(Bytes pattern_der, Bytes dn_der) {
  auto p = flatten(pattern_der), d = flatten(dn_der);
  if (!p || !d || p->size() != d->size()) return false;
  for (std::size_t i = 0; i < p->size(); ++i)
    if (!atv_matches((*p)[i], (*d)[i])) return false;
  return true;
}

answerd::expected<void, CryptoError> check_identity(const Certificate& cert,
                                                    const std::optional<IkeId>& id) {
  if (!id) return {};  // %any
  const auto mismatch = answerd::unexpected(CryptoError::kIdentityMismatch);
  if (id->data.empty()) return mismatch;
  using K = AltName::Kind;
  if (id->type == ike::IdType::kDerAsn1Dn && dn_matches(cert.subject_der(), id->data)) return {};
  if (id->type == ike::IdType::kKeyId) return key_id_matches(cert, id->data) ? answerd::expected<void, CryptoError>{} : mismatch;
  for (const AltName& a : cert.alt_names()) {
    bool ok = false;
    switch (id->type) {
      case ike::IdType::kIpv4Addr:
      case ike::IdType::kIpv6Addr:
        ok = a.kind == K::kIp && bytes_eq(a.value, id->data) &&
             id->data.size() == (id->type == ike::IdType::kIpv4Addr ? 4u : 16u);
        break;
      case ike::IdType::kFqdn: ok = a.kind == K::kDns && fqdn_matches(a.value, id->data); break;
      case ike::IdType::kRfc822Addr: ok = a.kind == K::kEmail && ieq(a.value, id->data); break;
      case ike::IdType::kDerAsn1Dn: ok = a.kind == K::kDirName && dn_matches(a.value, id->data); break;
      default: break;
    }
    if (ok) return {};
  }
  return mismatch;
}

}  // namespace answerd::crypto::pki
