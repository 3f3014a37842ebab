// Test support: the IKE_SA_INIT and decrypted IKE_AUTH messages of one captured
// strongSwan session (tests/data/captures/CASE.pcap with the keys of
// tests/data/strongswan/CASE/session.json), SK or SKF (RFC 7383) payloads opened
// with SK_e*/SK_a*. Shared with strongswan_capture_test.cc (PSK sessions).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "capture_reader.h"
#include "hex.h"
#include "ike/crypto/random.h"
#include "ike/crypto/sk_cipher.h"

namespace answerd::crypto::test {

inline std::filesystem::path data_dir() {
  if (const char* env = std::getenv("ANSWERD_STRONGSWAN_SESSIONS"); env && *env)
    return std::filesystem::path(env).parent_path();
  return std::filesystem::path(ANSWERD_SOURCE_DIR) / "tests/data";
}

// One direction of the session: its IKE_SA_INIT message and IKE_AUTH inner payloads.
struct AuthSide {
  std::vector<std::uint8_t> init;
  std::vector<std::uint8_t> inner;
  std::uint8_t first = 0;
  std::vector<Payload> chain;  // over `inner`
  // Bodies of the payloads of `type`, in order.
  [[nodiscard]] std::vector<std::span<const std::uint8_t>> all(std::uint8_t type) const {
    std::vector<std::span<const std::uint8_t>> out;
    for (const Payload& p : chain)
      if (p.type == type) out.push_back(p.body);
    return out;
  }
  [[nodiscard]] std::span<const std::uint8_t> one(std::uint8_t type) const {
    auto a = all(type);
    return a.empty() ? std::span<const std::uint8_t>() : a.front();
  }
};

struct CapturedSession {
  nlohmann::json keys;
  AuthSide initiator, responder;
  [[nodiscard]] std::vector<std::uint8_t> bytes(const char* key) const {
    return unhex(keys.value(key, std::string()));
  }
};

// Decrypts one IKE_AUTH message (SK) or its fragments (SKF, by fragment number).
inline bool open_ike_auth(SkCipher& sk, const std::vector<std::vector<std::uint8_t>>& msgs, AuthSide& side) {
  constexpr std::uint8_t kSk = 46, kSkf = 53;
  std::map<std::uint16_t, std::vector<std::uint8_t>> frags;
  std::uint16_t total = 0;
  for (const auto& m : msgs) {
    auto chain = payload_chain(m, 28, m[16]);
    if (!chain || chain->empty()) return false;
    const Payload& last = chain->back();
    if (last.type == kSk) {
      auto plain = sk.open(std::span(m).first(last.offset + 4), last.body);
      EXPECT_TRUE(plain.has_value()) << to_string(plain.error());
      if (!plain) return false;
      side.inner = *plain;
      side.first = m[last.offset];
      return true;
    }
    if (last.type != kSkf || last.body.size() < 4) return false;
    const std::uint16_t num = be16(last.body, 0);
    total = be16(last.body, 2);
    // RFC 7383 2.5: the AAD runs through Total Fragments, before the IV.
    auto plain = sk.open(std::span(m).first(last.offset + 8), last.body.subspan(4));
    EXPECT_TRUE(plain.has_value()) << "fragment " << num << ": " << to_string(plain.error());
    if (!plain) return false;
    if (num == 1) side.first = m[last.offset];
    frags[num] = *plain;
  }
  if (total == 0 || frags.size() != total) return false;
  for (auto& [num, part] : frags) side.inner.insert(side.inner.end(), part.begin(), part.end());
  return true;
}

// Loads CASE: nullopt (with a gtest failure) when something is missing or broken.
inline std::optional<CapturedSession> load_captured_session(const std::string& name) {
  constexpr std::uint8_t kIkeSaInit = 34, kIkeAuth = 35, kResponse = 0x20;
  CapturedSession s;
  std::ifstream in(data_dir() / "strongswan" / name / "session.json");
  s.keys = nlohmann::json::parse(in, nullptr, false);
  if (s.keys.is_discarded()) {
    ADD_FAILURE() << "no session.json for " << name;
    return std::nullopt;
  }
  const auto msgs = ike_messages_from_pcap((data_dir() / "captures" / (name + ".pcap")).string());
  std::vector<std::vector<std::uint8_t>> auth_req, auth_resp;
  for (const auto& m : msgs) {
    const bool response = m[19] & kResponse;
    if (m[18] == kIkeSaInit) (response ? s.responder : s.initiator).init = m;
    auto& list = response ? auth_resp : auth_req;  // first transmission of each only
    if (m[18] == kIkeAuth && std::find(list.begin(), list.end(), m) == list.end()) list.push_back(m);
  }
  if (s.initiator.init.empty() || s.responder.init.empty() || auth_req.empty() || auth_resp.empty()) {
    ADD_FAILURE() << "capture of " << name << " lacks IKE_SA_INIT or IKE_AUTH";
    return std::nullopt;
  }
  const auto encr = static_cast<ike::EncrId>(s.keys.value("encr", 0));
  const auto bits = static_cast<std::uint16_t>(s.keys.value("encr_key_bits", 0));
  const auto integ = static_cast<ike::IntegId>(s.keys.value("integ", 0));
  DeterministicRandom rng(1);
  auto sk_i = make_sk_cipher(encr, bits, integ, s.bytes("sk_ei"), s.bytes("sk_ai"), rng);
  auto sk_r = make_sk_cipher(encr, bits, integ, s.bytes("sk_er"), s.bytes("sk_ar"), rng);
  if (!sk_i || !sk_r || !open_ike_auth(**sk_i, auth_req, s.initiator) ||
      !open_ike_auth(**sk_r, auth_resp, s.responder)) {
    ADD_FAILURE() << "IKE_AUTH of " << name << " does not decrypt";
    return std::nullopt;
  }
  for (AuthSide* side : {&s.initiator, &s.responder}) {
    auto chain = payload_chain(side->inner, 0, side->first);
    if (!chain) {
      ADD_FAILURE() << "decrypted IKE_AUTH payloads of " << name << " do not parse";
      return std::nullopt;
    }
    side->chain = std::move(*chain);
  }
  return s;
}

}  // namespace answerd::crypto::test
