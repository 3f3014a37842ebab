// strongSwan proposal keyword table and proposal checks (proposal_keywords.h).
// Keywords: strongSwan "IKEv2 Cipher Suites"; IDs: IANA IKEv2 transform registries.
#include "config/proposal_keywords.h"

#include <algorithm>

#include "config/values.h"

namespace answerd::config {
namespace {

using ike::DhGroup;
using ike::EncrId;
using ike::EsnId;
using ike::IntegId;
using ike::PrfId;
using ike::TransformType;

struct Keyword {
  std::string_view word;
  TransformType type;
  std::uint16_t id;
  std::uint16_t key_bits;
};

constexpr std::uint16_t u(auto e) { return static_cast<std::uint16_t>(e); }

// The first entry of an (type, id, key_bits) triple is the canonical spelling.
constexpr Keyword kKeywords[] = {
    {"aes128", TransformType::kEncr, u(EncrId::kAesCbc), 128},
    {"aes192", TransformType::kEncr, u(EncrId::kAesCbc), 192},
    {"aes256", TransformType::kEncr, u(EncrId::kAesCbc), 256},
    {"aes", TransformType::kEncr, u(EncrId::kAesCbc), 128},
    {"aes128ctr", TransformType::kEncr, u(EncrId::kAesCtr), 128},
    {"aes192ctr", TransformType::kEncr, u(EncrId::kAesCtr), 192},
    {"aes256ctr", TransformType::kEncr, u(EncrId::kAesCtr), 256},
    {"camellia128", TransformType::kEncr, u(EncrId::kCamelliaCbc), 128},
    {"camellia192", TransformType::kEncr, u(EncrId::kCamelliaCbc), 192},
    {"camellia256", TransformType::kEncr, u(EncrId::kCamelliaCbc), 256},
    {"camellia", TransformType::kEncr, u(EncrId::kCamelliaCbc), 128},
    {"3des", TransformType::kEncr, u(EncrId::k3Des), 0},
    {"null", TransformType::kEncr, u(EncrId::kNull), 0},
    {"aes128gcm16", TransformType::kEncr, u(EncrId::kAesGcm16), 128},
    {"aes192gcm16", TransformType::kEncr, u(EncrId::kAesGcm16), 192},
    {"aes256gcm16", TransformType::kEncr, u(EncrId::kAesGcm16), 256},
    {"aes128gcm128", TransformType::kEncr, u(EncrId::kAesGcm16), 128},
    {"aes192gcm128", TransformType::kEncr, u(EncrId::kAesGcm16), 192},
    {"aes256gcm128", TransformType::kEncr, u(EncrId::kAesGcm16), 256},
    {"aes128gcm12", TransformType::kEncr, u(EncrId::kAesGcm12), 128},
    {"aes192gcm12", TransformType::kEncr, u(EncrId::kAesGcm12), 192},
    {"aes256gcm12", TransformType::kEncr, u(EncrId::kAesGcm12), 256},
    {"aes128gcm96", TransformType::kEncr, u(EncrId::kAesGcm12), 128},
    {"aes192gcm96", TransformType::kEncr, u(EncrId::kAesGcm12), 192},
    {"aes256gcm96", TransformType::kEncr, u(EncrId::kAesGcm12), 256},
    {"aes128gcm8", TransformType::kEncr, u(EncrId::kAesGcm8), 128},
    {"aes192gcm8", TransformType::kEncr, u(EncrId::kAesGcm8), 192},
    {"aes256gcm8", TransformType::kEncr, u(EncrId::kAesGcm8), 256},
    {"aes128gcm64", TransformType::kEncr, u(EncrId::kAesGcm8), 128},
    {"aes192gcm64", TransformType::kEncr, u(EncrId::kAesGcm8), 192},
    {"aes256gcm64", TransformType::kEncr, u(EncrId::kAesGcm8), 256},
    {"aes128ccm16", TransformType::kEncr, u(EncrId::kAesCcm16), 128},
    {"aes192ccm16", TransformType::kEncr, u(EncrId::kAesCcm16), 192},
    {"aes256ccm16", TransformType::kEncr, u(EncrId::kAesCcm16), 256},
    {"aes128ccm12", TransformType::kEncr, u(EncrId::kAesCcm12), 128},
    {"aes192ccm12", TransformType::kEncr, u(EncrId::kAesCcm12), 192},
    {"aes256ccm12", TransformType::kEncr, u(EncrId::kAesCcm12), 256},
    {"aes128ccm8", TransformType::kEncr, u(EncrId::kAesCcm8), 128},
    {"aes192ccm8", TransformType::kEncr, u(EncrId::kAesCcm8), 192},
    {"aes256ccm8", TransformType::kEncr, u(EncrId::kAesCcm8), 256},
    {"aes128gmac", TransformType::kEncr, u(EncrId::kNullAuthAesGmac), 128},
    {"aes192gmac", TransformType::kEncr, u(EncrId::kNullAuthAesGmac), 192},
    {"aes256gmac", TransformType::kEncr, u(EncrId::kNullAuthAesGmac), 256},
    {"chacha20poly1305", TransformType::kEncr, u(EncrId::kChacha20Poly1305), 0},
    {"md5", TransformType::kInteg, u(IntegId::kHmacMd5_96), 0},
    {"md5_128", TransformType::kInteg, u(IntegId::kHmacMd5_128), 0},
    {"sha1", TransformType::kInteg, u(IntegId::kHmacSha1_96), 0},
    {"sha", TransformType::kInteg, u(IntegId::kHmacSha1_96), 0},
    {"sha1_160", TransformType::kInteg, u(IntegId::kHmacSha1_160), 0},
    {"aesxcbc", TransformType::kInteg, u(IntegId::kAesXcbc96), 0},
    {"aescmac", TransformType::kInteg, u(IntegId::kAesCmac96), 0},
    {"sha256", TransformType::kInteg, u(IntegId::kHmacSha2_256_128), 0},
    {"sha2_256", TransformType::kInteg, u(IntegId::kHmacSha2_256_128), 0},
    {"sha384", TransformType::kInteg, u(IntegId::kHmacSha2_384_192), 0},
    {"sha2_384", TransformType::kInteg, u(IntegId::kHmacSha2_384_192), 0},
    {"sha512", TransformType::kInteg, u(IntegId::kHmacSha2_512_256), 0},
    {"sha2_512", TransformType::kInteg, u(IntegId::kHmacSha2_512_256), 0},
    {"prfmd5", TransformType::kPrf, u(PrfId::kHmacMd5), 0},
    {"prfsha1", TransformType::kPrf, u(PrfId::kHmacSha1), 0},
    {"prfaesxcbc", TransformType::kPrf, u(PrfId::kAes128Xcbc), 0},
    {"prfaescmac", TransformType::kPrf, u(PrfId::kAes128Cmac), 0},
    {"prfsha256", TransformType::kPrf, u(PrfId::kHmacSha2_256), 0},
    {"prfsha384", TransformType::kPrf, u(PrfId::kHmacSha2_384), 0},
    {"prfsha512", TransformType::kPrf, u(PrfId::kHmacSha2_512), 0},
    {"modp768", TransformType::kDh, u(DhGroup::kModp768), 0},
    {"modp1024", TransformType::kDh, u(DhGroup::kModp1024), 0},
    {"modp1536", TransformType::kDh, u(DhGroup::kModp1536), 0},
    {"modp2048", TransformType::kDh, u(DhGroup::kModp2048), 0},
    {"modp3072", TransformType::kDh, u(DhGroup::kModp3072), 0},
    {"modp4096", TransformType::kDh, u(DhGroup::kModp4096), 0},
    {"modp6144", TransformType::kDh, u(DhGroup::kModp6144), 0},
    {"modp8192", TransformType::kDh, u(DhGroup::kModp8192), 0},
    {"modp1024s160", TransformType::kDh, u(DhGroup::kModp1024s160), 0},
    {"modp2048s224", TransformType::kDh, u(DhGroup::kModp2048s224), 0},
    {"modp2048s256", TransformType::kDh, u(DhGroup::kModp2048s256), 0},
    {"ecp192", TransformType::kDh, u(DhGroup::kEcp192), 0},
    {"ecp224", TransformType::kDh, u(DhGroup::kEcp224), 0},
    {"ecp256", TransformType::kDh, u(DhGroup::kEcp256), 0},
    {"ecp384", TransformType::kDh, u(DhGroup::kEcp384), 0},
    {"ecp521", TransformType::kDh, u(DhGroup::kEcp521), 0},
    {"ecp224bp", TransformType::kDh, u(DhGroup::kBrainpool224), 0},
    {"ecp256bp", TransformType::kDh, u(DhGroup::kBrainpool256), 0},
    {"ecp384bp", TransformType::kDh, u(DhGroup::kBrainpool384), 0},
    {"ecp512bp", TransformType::kDh, u(DhGroup::kBrainpool512), 0},
    {"x25519", TransformType::kDh, u(DhGroup::kCurve25519), 0},
    {"curve25519", TransformType::kDh, u(DhGroup::kCurve25519), 0},
    {"x448", TransformType::kDh, u(DhGroup::kCurve448), 0},
    {"curve448", TransformType::kDh, u(DhGroup::kCurve448), 0},
    {"esn", TransformType::kEsn, u(EsnId::kEsn), 0},
    {"noesn", TransformType::kEsn, u(EsnId::kNoEsn), 0},
};

// Case-insensitive, as strongSwan's keyword table (%ignore-case).
const Keyword* find_keyword(std::string_view w) {
  std::string lower(w);
  for (char& ch : lower)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  for (const auto& k : kKeywords)
    if (k.word == lower) return &k;
  return nullptr;
}

std::string keyword_of(TransformType t, std::uint16_t id, std::uint16_t bits, std::string_view fallback) {
  for (const auto& k : kKeywords)
    if (k.type == t && k.id == id && k.key_bits == bits) return std::string(k.word);
  return std::string(fallback) + std::to_string(id) + (bits ? "/" + std::to_string(bits) : "");
}

// strongSwan's auth_to_prf(): the PRF derived from an integrity algorithm.
bool prf_from_integ(IntegId i, PrfId& out) {
  switch (i) {
    case IntegId::kHmacMd5_96: case IntegId::kHmacMd5_128: out = PrfId::kHmacMd5; return true;
    case IntegId::kHmacSha1_96: case IntegId::kHmacSha1_160: out = PrfId::kHmacSha1; return true;
    case IntegId::kAesXcbc96: out = PrfId::kAes128Xcbc; return true;
    case IntegId::kAesCmac96: out = PrfId::kAes128Cmac; return true;
    case IntegId::kHmacSha2_256_128: out = PrfId::kHmacSha2_256; return true;
    case IntegId::kHmacSha2_384_192: out = PrfId::kHmacSha2_384; return true;
    case IntegId::kHmacSha2_512_256: out = PrfId::kHmacSha2_512; return true;
    default: return false;
  }
}

template <class T, class V>
void add_unique(std::vector<T>& v, V x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

// Splits into keywords and fills the transform lists, no semantic checks yet.
expected<Proposal, std::string> collect(std::string_view s, ike::ProtocolId proto) {
  Proposal p{.protocol = proto};
  if (s.empty()) return unexpected(std::string("empty proposal"));
  for (const auto& w : split_list(s, '-')) {
    if (w.empty()) return unexpected("empty algorithm in proposal '" + std::string(s) + "'");
    const Keyword* k = find_keyword(w);
    if (k == nullptr) return unexpected("unknown algorithm '" + w + "' in proposal '" + std::string(s) + "'");
    switch (k->type) {
      case TransformType::kEncr: add_unique(p.encr, EncrAlg{EncrId{k->id}, k->key_bits}); break;
      case TransformType::kInteg: add_unique(p.integ, IntegId{k->id}); break;
      case TransformType::kPrf: add_unique(p.prf, PrfId{k->id}); break;
      case TransformType::kDh: add_unique(p.dh, DhGroup{k->id}); break;
      case TransformType::kEsn: add_unique(p.esn, EsnId{k->id}); break;
    }
  }
  return p;
}

// The AEAD/classic rules shared by IKE and ESP.
expected<void, std::string> check_ciphers(Proposal& p, std::string_view s, std::string_view what) {
  if (p.encr.empty())
    return unexpected("an encryption algorithm is mandatory in " + std::string(what) +
                      " proposals ('" + std::string(s) + "')");
  std::size_t aead = 0;
  for (const auto& e : p.encr) aead += is_aead(e.id) ? 1 : 0;
  if (aead != 0 && aead != p.encr.size())
    return unexpected("AEAD and classic encryption algorithms cannot be mixed in one proposal ('" +
                      std::string(s) + "')");
  if (aead != 0) {
    p.integ.clear();  // RFC 7296 3.3: combined-mode ciphers carry no integrity transform
  } else if (p.integ.empty()) {
    return unexpected("an integrity algorithm is mandatory with classic encryption ('" +
                      std::string(s) + "')");
  }
  return {};
}

}  // namespace

bool is_aead(ike::EncrId id) {
  switch (id) {
    case EncrId::kAesCcm8: case EncrId::kAesCcm12: case EncrId::kAesCcm16:
    case EncrId::kAesGcm8: case EncrId::kAesGcm12: case EncrId::kAesGcm16:
    case EncrId::kNullAuthAesGmac: case EncrId::kChacha20Poly1305:
      return true;
    default:
      return false;
  }
}

bool is_aead(const Proposal& p) { return !p.encr.empty() && is_aead(p.encr.front().id); }

expected<Proposal, std::string> parse_ike_proposal(std::string_view s) {
  auto p = collect(s, ike::ProtocolId::kIke);
  if (!p) return p;
  if (!p->esn.empty()) return unexpected("esn/noesn are not allowed in IKE proposals ('" + std::string(s) + "')");
  if (p->prf.empty()) {  // strongSwan: derive the PRF from the integrity algorithms
    for (auto i : p->integ) {
      PrfId prf;
      if (prf_from_integ(i, prf)) add_unique(p->prf, prf);
    }
  }
  if (auto c = check_ciphers(*p, s, "IKE"); !c) return unexpected(c.error());
  if (p->prf.empty())
    return unexpected("a PRF algorithm is mandatory in IKE proposals ('" + std::string(s) + "')");
  if (p->dh.empty())
    return unexpected("a DH group is mandatory in IKE proposals ('" + std::string(s) + "')");
  return p;
}

expected<Proposal, std::string> parse_esp_proposal(std::string_view s) {
  auto p = collect(s, ike::ProtocolId::kEsp);
  if (!p) return p;
  if (!p->prf.empty())
    return unexpected("PRF algorithms are not allowed in ESP proposals ('" + std::string(s) + "')");
  if (auto c = check_ciphers(*p, s, "ESP"); !c) return unexpected(c.error());
  if (p->esn.empty()) p->esn.push_back(EsnId::kNoEsn);
  return p;
}

namespace {

template <class F>
expected<std::vector<Proposal>, std::string> parse_list(std::string_view s, F one,
                                                        std::vector<Proposal> (*defaults)()) {
  std::vector<Proposal> out;
  auto items = split_list(s);
  if (items.empty()) return unexpected(std::string("empty proposal list"));
  for (const auto& item : items) {
    if (item == "default") {
      for (auto& d : defaults()) out.push_back(std::move(d));
      continue;
    }
    auto p = one(item);
    if (!p) return unexpected(p.error());
    out.push_back(std::move(*p));
  }
  return out;
}

Proposal must(expected<Proposal, std::string> p) { return p ? *p : Proposal{}; }

}  // namespace

expected<std::vector<Proposal>, std::string> parse_ike_proposals(std::string_view s) {
  return parse_list(s, parse_ike_proposal, default_ike_proposals);
}

expected<std::vector<Proposal>, std::string> parse_esp_proposals(std::string_view s) {
  return parse_list(s, parse_esp_proposal, default_esp_proposals);
}

// strongSwan's default proposals, limited to what a modern responder should offer.
std::vector<Proposal> default_ike_proposals() {
  static const std::vector<Proposal> kDefaults = [] {
    const std::string groups = "x25519-ecp256-ecp384-ecp521-modp3072-modp4096-modp2048";
    return std::vector<Proposal>{
        must(parse_ike_proposal("aes128gcm16-aes192gcm16-aes256gcm16-chacha20poly1305-"
                                "prfsha256-prfsha384-prfsha512-" + groups)),
        must(parse_ike_proposal("aes128-aes192-aes256-sha256-sha384-sha512-"
                                "prfsha256-prfsha384-prfsha512-" + groups))};
  }();
  return kDefaults;
}

std::vector<Proposal> default_esp_proposals() {
  static const std::vector<Proposal> kDefaults{
      must(parse_esp_proposal("aes128gcm16-aes192gcm16-aes256gcm16-chacha20poly1305")),
      must(parse_esp_proposal("aes128-aes192-aes256-sha256-sha384-sha512"))};
  return kDefaults;
}

std::string to_keyword(const EncrAlg& a) {
  return keyword_of(TransformType::kEncr, u(a.id), a.key_bits, "encr");
}
std::string to_keyword(ike::IntegId id) { return keyword_of(TransformType::kInteg, u(id), 0, "integ"); }
std::string to_keyword(ike::PrfId id) { return keyword_of(TransformType::kPrf, u(id), 0, "prf"); }
std::string to_keyword(ike::DhGroup id) { return keyword_of(TransformType::kDh, u(id), 0, "ke"); }
std::string to_keyword(ike::EsnId id) { return keyword_of(TransformType::kEsn, u(id), 0, "esn"); }

std::string to_keyword(const Proposal& p) {
  std::vector<std::string> words;
  for (const auto& e : p.encr) words.push_back(to_keyword(e));
  for (auto i : p.integ) words.push_back(to_keyword(i));
  for (auto f : p.prf) words.push_back(to_keyword(f));
  for (auto d : p.dh) words.push_back(to_keyword(d));
  // noesn alone is the default and strongSwan leaves it out too.
  if (!(p.esn.size() == 1 && p.esn[0] == EsnId::kNoEsn))
    for (auto e : p.esn) words.push_back(to_keyword(e));
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : "-") + w;
  return out;
}

std::string to_keyword(const std::vector<Proposal>& list) {
  std::string out;
  for (const auto& p : list) out += (out.empty() ? "" : ", ") + to_keyword(p);
  return out;
}

}  // namespace answerd::config
