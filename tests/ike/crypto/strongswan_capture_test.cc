// SK payload decryption and PSK AUTH checked against real strongSwan traffic: for
// every strongSwan case with a capture (tests/data/captures/CASE.pcap) and its key
// log (tests/data/strongswan/CASE/session.json), open the IKE_AUTH request with
// SK_ei/SK_ai and the response with SK_er/SK_ar (SK, or SKF fragments reassembled
// per RFC 7383), then, for PSK cases, verify both AUTH payloads (RFC 7296 2.15).
// Both KE payloads of IKE_SA_INIT must pass our peer public value validation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "capture_reader.h"
#include "hex.h"
#include "pki_capture_support.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/psk_auth.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/crypto/transforms.h"

namespace answerd::crypto {
namespace {

namespace fs = std::filesystem;
using test::be16;
using test::Payload;
using test::unhex;

constexpr std::uint8_t kKe = 34, kIdi = 35, kIdr = 36, kAuth = 39;
constexpr std::uint8_t kIkeSaInit = 34, kIkeAuth = 35, kResponse = 0x20;

using test::data_dir;
// The IKE_SA_INIT message of one direction and its decrypted IKE_AUTH payloads.
using Exchange = test::AuthSide;

bool open_auth(SkCipher& sk, const std::vector<std::vector<std::uint8_t>>& msgs, Exchange& ex) {
  return test::open_ike_auth(sk, msgs, ex);
}

std::span<const std::uint8_t> find(const std::vector<Payload>& chain, std::uint8_t type) {
  for (const Payload& p : chain)
    if (p.type == type) return p.body;
  return {};
}

// strongSwan's KE data (RFC 7296 3.4: group, reserved, data) has our length and
// format for the group and passes our RFC 6989 checks as a peer value.
void check_ke(const std::vector<std::uint8_t>& init, ike::DhGroup group) {
  auto chain = test::payload_chain(init, 28, init[16]);
  ASSERT_TRUE(chain.has_value());
  const auto ke = find(*chain, kKe);
  ASSERT_GE(ke.size(), 4u);
  EXPECT_EQ(be16(ke, 0), static_cast<std::uint16_t>(group));
  const auto data = ke.subspan(4);
  EXPECT_EQ(data.size(), ke_public_size(group));
  DeterministicRandom rng(3);
  auto ours = make_key_exchange(group, rng);
  ASSERT_TRUE(ours.has_value());
  auto shared = (*ours)->shared_secret(data);
  EXPECT_TRUE(shared.has_value()) << to_string(shared.error());
}

void check_case(const fs::path& session_path, const fs::path& pcap) {
  std::ifstream in(session_path);
  const auto s = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(s.is_discarded());
  const auto hexf = [&](const char* k) { return unhex(s.value(k, std::string())); };
  const auto encr = static_cast<ike::EncrId>(s.value("encr", 0));
  const auto bits = static_cast<std::uint16_t>(s.value("encr_key_bits", 0));
  const auto integ = static_cast<ike::IntegId>(s.value("integ", 0));
  const auto prf = static_cast<ike::PrfId>(s.value("prf", 0));

  const auto msgs = test::ike_messages_from_pcap(pcap.string());
  ASSERT_FALSE(msgs.empty()) << "no IKE messages in " << pcap;
  Exchange req, resp;
  std::vector<std::vector<std::uint8_t>> auth_req, auth_resp;
  for (const auto& m : msgs) {
    const bool response = m[19] & kResponse;
    if (m[18] == kIkeSaInit) (response ? resp : req).init = m;
    // First transmission of each message only (retransmits repeat the bytes).
    auto& list = response ? auth_resp : auth_req;
    if (m[18] == kIkeAuth && std::find(list.begin(), list.end(), m) == list.end())
      list.push_back(m);
  }
  ASSERT_FALSE(req.init.empty() || resp.init.empty() || auth_req.empty() || auth_resp.empty());
  const auto group = static_cast<ike::DhGroup>(s.value("dh_group", 0));
  check_ke(req.init, group);
  check_ke(resp.init, group);

  DeterministicRandom rng(1);
  auto sk_i = make_sk_cipher(encr, bits, integ, hexf("sk_ei"), hexf("sk_ai"), rng);
  auto sk_r = make_sk_cipher(encr, bits, integ, hexf("sk_er"), hexf("sk_ar"), rng);
  ASSERT_TRUE(sk_i && sk_r);
  ASSERT_TRUE(open_auth(**sk_i, auth_req, req)) << "IKE_AUTH request";
  ASSERT_TRUE(open_auth(**sk_r, auth_resp, resp)) << "IKE_AUTH response";
  auto chain_i = test::payload_chain(req.inner, 0, req.first);
  auto chain_r = test::payload_chain(resp.inner, 0, resp.first);
  ASSERT_TRUE(chain_i && chain_r) << "decrypted payloads do not parse";
  const auto idi = find(*chain_i, kIdi), auth_i = find(*chain_i, kAuth);
  const auto idr = find(*chain_r, kIdr), auth_r = find(*chain_r, kAuth);
  ASSERT_FALSE(idi.empty() || auth_i.size() < 4 || idr.empty() || auth_r.size() < 4);

  const auto psk = hexf("psk");
  if (psk.empty()) return;  // certificate cases: decryption is what is checked
  ASSERT_EQ(auth_i[0], 2) << "Shared Key Message Integrity Code";
  const auto ni = hexf("ni"), nr = hexf("nr"), sk_pi = hexf("sk_pi"), sk_pr = hexf("sk_pr");
  // Initiator: RealMessage1 | NonceRData | prf(SK_pi, IDi'); responder likewise.
  const PskAuthInput in_i{.real_message = req.init, .peer_nonce = nr, .sk_p = sk_pi, .id_body = idi};
  const PskAuthInput in_r{.real_message = resp.init, .peer_nonce = ni, .sk_p = sk_pr, .id_body = idr};
  EXPECT_TRUE(verify_psk_auth(prf, psk, in_i, auth_i.subspan(4)).has_value());
  EXPECT_TRUE(verify_psk_auth(prf, psk, in_r, auth_r.subspan(4)).has_value());
  auto ours = psk_auth(prf, psk, in_r);  // what answerd would send in strongSwan's place
  ASSERT_TRUE(ours.has_value());
  EXPECT_EQ(test::hex(*ours), test::hex(auth_r.subspan(4)));
}

TEST(StrongswanCapture, OpensIkeAuthAndVerifiesPskAuth) {
  const fs::path sessions = data_dir() / "strongswan", captures = data_dir() / "captures";
  int checked = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(sessions, ec)) {
    const fs::path session = e.path() / "session.json";
    const fs::path pcap = captures / (e.path().filename().string() + ".pcap");
    if (!fs::exists(session) || !fs::exists(pcap)) continue;
    SCOPED_TRACE(e.path().filename().string());
    check_case(session, pcap);
    ++checked;
  }
  ASSERT_GT(checked, 0) << "no strongSwan case with a capture under " << data_dir();
  std::cout << "checked " << checked << " captured strongSwan exchange(s)\n";
}

}  // namespace
}  // namespace answerd::crypto
