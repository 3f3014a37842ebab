// Identity from an ID payload and PSK lookup (secret_lookup.h).
#include "config/secret_lookup.h"

#include <algorithm>

namespace answerd::config {

expected<Identity, std::string> identity_from_payload(ike::IdType type, std::span<const std::uint8_t> data) {
  std::string bytes(data.begin(), data.end());
  switch (type) {
    case ike::IdType::kIpv4Addr:
    case ike::IdType::kIpv6Addr: {
      std::size_t len = type == ike::IdType::kIpv4Addr ? 4 : 16;
      if (data.size() != len) return unexpected("ID payload address has " + std::to_string(data.size()) + " bytes");
      Identity id{.kind = len == 4 ? Identity::Kind::kIpv4 : Identity::Kind::kIpv6};
      id.addr.family = len == 4 ? 4 : 6;
      std::copy(data.begin(), data.end(), id.addr.bytes.begin());
      id.text = to_string(id.addr);
      return id;
    }
    case ike::IdType::kFqdn:
    case ike::IdType::kRfc822Addr: {
      if (data.empty()) return unexpected(std::string("empty ID payload"));
      for (auto b : data)
        if (b < 0x21 || b > 0x7e) return unexpected(std::string("ID payload text has blanks or non-printable bytes"));
      auto kind = type == ike::IdType::kFqdn ? Identity::Kind::kFqdn : Identity::Kind::kRfc822;
      return Identity{.kind = kind, .text = bytes, .value = bytes};
    }
    case ike::IdType::kKeyId: {
      static constexpr char kHex[] = "0123456789abcdef";
      std::string text = "@#";
      for (auto b : data) {
        text.push_back(kHex[b >> 4]);
        text.push_back(kHex[b & 15]);
      }
      return Identity{.kind = Identity::Kind::kKeyId, .text = text, .value = bytes};
    }
    default:
      return unexpected("ID type " + std::to_string(static_cast<int>(type)) + " is not matched by configuration");
  }
}

namespace {

int quality(const Identity& pattern, const Identity& id) {
  if (pattern.kind == Identity::Kind::kAny || id.kind == Identity::Kind::kAny) return 1;
  if (!matches(pattern, id)) return 0;
  return pattern.wildcard ? 2 : 3;
}

int side_score(const Secret& s, const Identity& id) {
  if (s.ids.empty()) return 1;
  int best = 0;
  for (const auto& owner : s.ids) best = std::max(best, quality(owner, id));
  return best;
}

}  // namespace

const Secret* find_ike_secret(const std::vector<Secret>& secrets, const Identity& me, const Identity& peer) {
  const Secret* best = nullptr;
  int best_score = 0;
  for (const auto& s : secrets) {
    if (s.type != Secret::Type::kIke) continue;
    int a = side_score(s, me);
    int b = side_score(s, peer);
    if (a == 0 && b == 0) continue;
    if (a + b > best_score) {
      best = &s;
      best_score = a + b;
    }
  }
  return best;
}

}  // namespace answerd::config
