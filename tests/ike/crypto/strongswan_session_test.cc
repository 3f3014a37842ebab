// Key derivation checked against real strongSwan 5.9.8 sessions: for every
// session.json under $ANSWERD_STRONGSWAN_SESSIONS (default tests/data/strongswan/),
// reproduce SKEYSEED, every SK_* (RFC 7296 2.14) and, when logged, the Child SA
// KEYMAT (2.17) from g^ir, the nonces and the SPIs. strongSwan does not log private
// keys, so the DH itself is covered by the RFC vectors; the KE public values it
// sent, when recorded, must pass our RFC 6989 validation.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hex.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/keymat.h"
#include "ike/crypto/transforms.h"

namespace answerd::crypto {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::hex;
using test::unhex;

fs::path sessions_dir() {
  if (const char* env = std::getenv("ANSWERD_STRONGSWAN_SESSIONS"); env && *env) return env;
  return fs::path(ANSWERD_SOURCE_DIR) / "tests/data/strongswan";
}

std::vector<fs::path> session_files() {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(sessions_dir(), ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(sessions_dir(), ec))
    if (e.is_regular_file() && e.path().filename() == "session.json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Numbers may be written as JSON numbers or as decimal strings.
std::uint16_t num(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return 0;
  const json& v = j[key];
  return v.is_string() ? static_cast<std::uint16_t>(std::stoul(v.get<std::string>()))
                       : v.get<std::uint16_t>();
}

std::string str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::vector<std::uint8_t> bytes(const json& j, const char* key) { return unhex(str(j, key)); }

ike::IkeSpi spi(const json& j, const char* key) {
  const auto b = bytes(j, key);
  EXPECT_EQ(b.size(), 8u) << key;
  std::array<std::uint8_t, 8> a{};
  std::copy_n(b.begin(), std::min<std::size_t>(8, b.size()), a.begin());
  return ike::IkeSpi::from_wire(a);
}

void expect_key(const SecretBytes& got, const json& j, const char* key) {
  EXPECT_EQ(hex(got.view()), hex(bytes(j, key))) << key;
}

void check_child(const json& s, ike::PrfId prf, const SecretBytes& sk_d) {
  const json& c = s["child"];
  const ChildSuite suite{.encr = static_cast<ike::EncrId>(num(c, "encr")),
                         .encr_key_bits = num(c, "encr_key_bits"),
                         .integ = static_cast<ike::IntegId>(num(c, "integ"))};
  // A CREATE_CHILD_SA child carries its own nonces (and g^ir with PFS).
  const auto ni = c.contains("ni") ? bytes(c, "ni") : bytes(s, "ni");
  const auto nr = c.contains("nr") ? bytes(c, "nr") : bytes(s, "nr");
  const auto g_ir = bytes(c, "dh_shared");
  auto k = derive_child_keys(prf, sk_d.view(), suite, g_ir, ni, nr);
  ASSERT_TRUE(k.has_value()) << to_string(k.error());
  expect_key(k->encr_i2r, c, "keymat_i2r_encr");
  expect_key(k->integ_i2r, c, "keymat_i2r_integ");
  expect_key(k->encr_r2i, c, "keymat_r2i_encr");
  expect_key(k->integ_r2i, c, "keymat_r2i_integ");
}

// strongSwan's own KE values must pass the checks we apply to every peer.
void check_public_values(const json& s, ike::DhGroup group) {
  for (const char* key : {"ke_i", "ke_r", "gi", "gr"}) {
    if (str(s, key).empty()) continue;
    DeterministicRandom rng(11);
    auto ke = make_key_exchange(group, rng);
    ASSERT_TRUE(ke.has_value());
    auto shared = (*ke)->shared_secret(bytes(s, key));
    EXPECT_TRUE(shared.has_value()) << key << ": " << to_string(shared.error());
  }
}

void check_session(const fs::path& path) {
  std::ifstream in(path);
  ASSERT_TRUE(in.good());
  const json s = json::parse(in, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(s.is_discarded()) << "not JSON";
  const IkeSuite suite{.encr = static_cast<ike::EncrId>(num(s, "encr")),
                       .encr_key_bits = num(s, "encr_key_bits"),
                       .prf = static_cast<ike::PrfId>(num(s, "prf")),
                       .integ = static_cast<ike::IntegId>(num(s, "integ"))};
  const auto ni = bytes(s, "ni"), nr = bytes(s, "nr"), g_ir = bytes(s, "dh_shared");
  ASSERT_FALSE(ni.empty() || nr.empty() || g_ir.empty());
  const auto group = static_cast<ike::DhGroup>(num(s, "dh_group"));
  EXPECT_EQ(g_ir.size(), ke_shared_size(group)) << "g^ir length for group " << num(s, "dh_group");

  auto seed = skeyseed(suite.prf, ni, nr, g_ir);
  ASSERT_TRUE(seed.has_value()) << to_string(seed.error());
  expect_key(*seed, s, "skeyseed");
  auto k = derive_ike_keys(suite, seed->view(), ni, nr, spi(s, "spi_i"), spi(s, "spi_r"));
  ASSERT_TRUE(k.has_value()) << to_string(k.error());
  expect_key(k->sk_d, s, "sk_d");
  expect_key(k->sk_ai, s, "sk_ai");
  expect_key(k->sk_ar, s, "sk_ar");
  expect_key(k->sk_ei, s, "sk_ei");
  expect_key(k->sk_er, s, "sk_er");
  expect_key(k->sk_pi, s, "sk_pi");
  expect_key(k->sk_pr, s, "sk_pr");
  if (s.contains("child") && s["child"].is_object()) check_child(s, suite.prf, k->sk_d);
  check_public_values(s, group);
}

TEST(StrongswanSession, ReproducesEveryKey) {
  const auto files = session_files();
  ASSERT_FALSE(files.empty()) << "no session.json under " << sessions_dir()
                              << " (set ANSWERD_STRONGSWAN_SESSIONS)";
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    check_session(f);
  }
  std::cout << "checked " << files.size() << " strongSwan session(s) under " << sessions_dir()
            << "\n";
}

}  // namespace
}  // namespace answerd::crypto
