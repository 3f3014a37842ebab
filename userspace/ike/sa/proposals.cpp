// Proposal selection, RFC 7296 2.7 and 3.3.6.
#include "ike/sa/proposals.h"

#include <algorithm>

#include "ike/crypto/transforms.h"

namespace answerd::sa {
namespace {

using ike::Proposal;
using ike::TransformType;

bool offers(const Proposal& p, TransformType type, std::uint16_t id,
            std::optional<std::uint16_t> key_bits = std::nullopt) {
  return std::any_of(p.transforms.begin(), p.transforms.end(), [&](const ike::Transform& t) {
    if (t.type != type || t.id != id) return false;
    if (type != TransformType::kEncr) return true;
    return t.key_length() == key_bits;
  });
}

bool has_type(const Proposal& p, TransformType type) {
  return std::any_of(p.transforms.begin(), p.transforms.end(),
                     [&](const ike::Transform& t) { return t.type == type && t.id != 0; });
}

std::optional<config::EncrAlg> pick_encr(const config::Proposal& ours, const Proposal& p) {
  for (const auto& e : ours.encr) {
    const auto bits = e.key_bits != 0 ? std::optional<std::uint16_t>(e.key_bits) : std::nullopt;
    if (offers(p, TransformType::kEncr, static_cast<std::uint16_t>(e.id), bits) &&
        crypto::is_supported(e.id, e.key_bits))
      return e;
  }
  return std::nullopt;
}

// Integrity: none for AEAD (the peer may list none or NONE), else the first common.
std::optional<ike::IntegId> pick_integ(const config::Proposal& ours, const Proposal& p, bool aead) {
  if (aead) {
    if (has_type(p, TransformType::kInteg)) return std::nullopt;
    return ike::IntegId::kNone;
  }
  for (auto i : ours.integ)
    if (offers(p, TransformType::kInteg, static_cast<std::uint16_t>(i)) && crypto::is_supported(i))
      return i;
  return std::nullopt;
}

std::vector<ike::DhGroup> common_groups(const config::Proposal& ours, const Proposal& p) {
  std::vector<ike::DhGroup> out;
  for (auto g : ours.dh)
    if (g != ike::DhGroup::kNone && offers(p, TransformType::kDh, static_cast<std::uint16_t>(g)) &&
        crypto::is_supported(g))
      out.push_back(g);
  return out;
}

std::optional<IkeSelection> match_ike(const config::Proposal& ours, const Proposal& p) {
  if (p.protocol != ike::ProtocolId::kIke) return std::nullopt;
  auto encr = pick_encr(ours, p);
  if (!encr) return std::nullopt;
  auto integ = pick_integ(ours, p, crypto::is_aead(encr->id));
  if (!integ) return std::nullopt;
  std::optional<ike::PrfId> prf;
  for (auto f : ours.prf)
    if (offers(p, TransformType::kPrf, static_cast<std::uint16_t>(f)) && crypto::is_supported(f)) {
      prf = f;
      break;
    }
  if (!prf) return std::nullopt;
  auto groups = common_groups(ours, p);
  if (groups.empty()) return std::nullopt;
  IkeSelection s;
  s.suite = crypto::IkeSuite{.encr = encr->id, .encr_key_bits = encr->key_bits, .prf = *prf, .integ = *integ};
  s.group = groups.front();
  s.acceptable = std::move(groups);
  s.number = p.number;
  s.peer_spi = p.spi;
  return s;
}

std::optional<EspSelection> match_esp(const config::Proposal& ours, const Proposal& p, bool with_dh) {
  if (p.protocol != ike::ProtocolId::kEsp || p.spi.size() != 4) return std::nullopt;
  auto encr = pick_encr(ours, p);
  if (!encr) return std::nullopt;
  auto integ = pick_integ(ours, p, crypto::is_aead(encr->id));
  if (!integ) return std::nullopt;
  // ESN: ours default to "no ESN"; a peer listing none means no ESN as well.
  std::vector<ike::EsnId> our_esn = ours.esn.empty() ? std::vector{ike::EsnId::kNoEsn} : ours.esn;
  std::optional<ike::EsnId> esn;
  const bool peer_lists_esn = std::any_of(p.transforms.begin(), p.transforms.end(),
                                          [](const ike::Transform& t) { return t.type == TransformType::kEsn; });
  for (auto e : our_esn)
    if ((!peer_lists_esn && e == ike::EsnId::kNoEsn) || offers(p, TransformType::kEsn, static_cast<std::uint16_t>(e))) {
      esn = e;
      break;
    }
  if (!esn) return std::nullopt;
  EspSelection s;
  if (with_dh) {
    const bool peer_pfs = has_type(p, TransformType::kDh);
    const bool our_pfs = std::any_of(ours.dh.begin(), ours.dh.end(), [](auto g) { return g != ike::DhGroup::kNone; });
    if (peer_pfs != our_pfs) return std::nullopt;
    if (our_pfs) {
      s.acceptable = common_groups(ours, p);
      if (s.acceptable.empty()) return std::nullopt;
      s.pfs = s.acceptable.front();
    }
  }
  s.suite = crypto::ChildSuite{.encr = encr->id, .encr_key_bits = encr->key_bits, .integ = *integ};
  s.esn = *esn == ike::EsnId::kEsn;
  s.number = p.number;
  s.peer_spi = ike::EspSpi::from_wire(std::span<const std::uint8_t, 4>(p.spi.data(), 4));
  return s;
}

void add_encr_integ(std::vector<ike::Transform>& ts, ike::EncrId encr, std::uint16_t bits, ike::IntegId integ) {
  ts.push_back(ike::make_transform(TransformType::kEncr, static_cast<std::uint16_t>(encr),
                                   bits != 0 ? std::optional<std::uint16_t>(bits) : std::nullopt));
  if (integ != ike::IntegId::kNone)
    ts.push_back(ike::make_transform(TransformType::kInteg, static_cast<std::uint16_t>(integ)));
}

}  // namespace

std::optional<IkeSelection> select_ike(const std::vector<config::Proposal>& ours, const ike::SaPayload& peer) {
  for (const auto& o : ours)
    for (const auto& p : peer.proposals)
      if (auto s = match_ike(o, p)) return s;
  return std::nullopt;
}

std::optional<EspSelection> select_esp(const std::vector<config::Proposal>& ours, const ike::SaPayload& peer,
                                       bool with_dh) {
  for (const auto& o : ours)
    for (const auto& p : peer.proposals)
      if (auto s = match_esp(o, p, with_dh)) return s;
  return std::nullopt;
}

ike::SaPayload ike_response_sa(const IkeSelection& s, ike::DhGroup group, ike::Bytes our_spi) {
  ike::Proposal p{.number = s.number, .protocol = ike::ProtocolId::kIke, .spi = std::move(our_spi), .transforms = {}};
  add_encr_integ(p.transforms, s.suite.encr, s.suite.encr_key_bits, ike::IntegId::kNone);
  p.transforms.push_back(ike::make_transform(TransformType::kPrf, static_cast<std::uint16_t>(s.suite.prf)));
  if (s.suite.integ != ike::IntegId::kNone)
    p.transforms.push_back(ike::make_transform(TransformType::kInteg, static_cast<std::uint16_t>(s.suite.integ)));
  p.transforms.push_back(ike::make_transform(TransformType::kDh, static_cast<std::uint16_t>(group)));
  return ike::SaPayload{{std::move(p)}};
}

ike::SaPayload esp_response_sa(const EspSelection& s, ike::EspSpi our_spi) {
  const auto spi = our_spi.bytes();
  ike::Proposal p{.number = s.number, .protocol = ike::ProtocolId::kEsp, .spi = ike::Bytes(spi.begin(), spi.end()),
                  .transforms = {}};
  add_encr_integ(p.transforms, s.suite.encr, s.suite.encr_key_bits, s.suite.integ);
  if (s.pfs != ike::DhGroup::kNone)
    p.transforms.push_back(ike::make_transform(TransformType::kDh, static_cast<std::uint16_t>(s.pfs)));
  p.transforms.push_back(ike::make_transform(TransformType::kEsn, static_cast<std::uint16_t>(
                                                                      s.esn ? ike::EsnId::kEsn : ike::EsnId::kNoEsn)));
  return ike::SaPayload{{std::move(p)}};
}

}  // namespace answerd::sa
