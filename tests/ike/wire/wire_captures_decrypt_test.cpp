// The SK/SKF API on real data: the strongSwan sessions of tests/data/captures are
// decrypted with the keys strongSwan logged (tests/data/strongswan/CASE/session.json)
// using OpenSSL here in the test (the codec itself has no crypto), through
// locate_encrypted() -> AAD/IV/ICV split -> sk_unpad() -> parse_payload_chain(),
// with RFC 7383 reassembly of SKF fragments (FragmentAssembler). The inner IKE_AUTH
// and INFORMATIONAL payloads must decode, pass the rules table, and carry the
// configured identities, ESP proposal, SPIs and traffic selectors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "capture/capture.h"
#include "ike/wire/fragments.h"
#include "ike/wire/message.h"
#include "ike/wire/names.h"
#include "ike/wire/rules.h"
#include "ike/wire/sk.h"

namespace answerd::ike {
namespace {

namespace fs = std::filesystem;
using Span = std::span<const std::uint8_t>;

Bytes unhex(const std::string& s) {
  Bytes b;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) b.push_back(static_cast<std::uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
  return b;
}

struct Keys {
  std::uint16_t encr, integ, key_bits;
  Bytes sk_ei, sk_er, sk_ai, sk_ar;
};

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// RFC 5282 (AES-GCM) / RFC 7634 (ChaCha20-Poly1305): IV 8, ICV 16, nonce = salt || IV.
std::optional<Bytes> aead_open(const Keys& k, const Bytes& key_salt, Span aad, Span enc) {
  if (enc.size() < 24) return std::nullopt;
  const Bytes key(key_salt.begin(), key_salt.end() - 4);
  Bytes nonce(key_salt.end() - 4, key_salt.end());
  nonce.insert(nonce.end(), enc.begin(), enc.begin() + 8);
  Span ct = enc.subspan(8, enc.size() - 24);
  Span tag = enc.subspan(enc.size() - 16);
  const EVP_CIPHER* c = k.encr == 28 ? EVP_chacha20_poly1305()
                        : key.size() == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  Bytes out(ct.size() + 16);
  if (!EVP_DecryptInit_ex(ctx.get(), c, nullptr, nullptr, nullptr) ||
      !EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr) ||
      !EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data()) ||
      !EVP_DecryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) ||
      !EVP_DecryptUpdate(ctx.get(), out.data(), &n, ct.data(), static_cast<int>(ct.size())) ||
      !EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, 16, const_cast<std::uint8_t*>(tag.data())))
    return std::nullopt;
  int fin = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + n, &fin) != 1) return std::nullopt;  // ICV mismatch
  out.resize(static_cast<std::size_t>(n + fin));
  return out;
}

// RFC 7296 3.14 with AES-CBC and HMAC-SHA2 (RFC 4868): ICV over the whole message
// up to the ICV, IV 16.
std::optional<Bytes> cbc_open(const Keys& k, const Bytes& ke, const Bytes& ka, Span datagram, Span enc) {
  const EVP_MD* md = k.integ == 12 ? EVP_sha256() : k.integ == 13 ? EVP_sha384() : EVP_sha512();
  const std::size_t icv = k.integ == 12 ? 16 : k.integ == 13 ? 24 : 32;
  if (enc.size() < 16 + icv) return std::nullopt;
  unsigned char mac[64];
  unsigned int mac_len = 0;
  HMAC(md, ka.data(), static_cast<int>(ka.size()), datagram.data(), datagram.size() - icv, mac, &mac_len);
  if (!std::equal(mac, mac + icv, enc.end() - static_cast<std::ptrdiff_t>(icv))) return std::nullopt;
  Span ct = enc.subspan(16, enc.size() - 16 - icv);
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  const EVP_CIPHER* c = ke.size() == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
  Bytes out(ct.size() + 16);
  int n = 0, fin = 0;
  if (!EVP_DecryptInit_ex(ctx.get(), c, nullptr, ke.data(), enc.data()) || !EVP_CIPHER_CTX_set_padding(ctx.get(), 0) ||
      !EVP_DecryptUpdate(ctx.get(), out.data(), &n, ct.data(), static_cast<int>(ct.size())) ||
      !EVP_DecryptFinal_ex(ctx.get(), out.data() + n, &fin))
    return std::nullopt;
  out.resize(static_cast<std::size_t>(n + fin));
  return out;
}

// Decrypts one SK/SKF datagram and strips the padding.
std::optional<Bytes> open(const Keys& k, const Header& h, Span datagram, const EncryptedView& v) {
  const bool from_initiator = h.initiator();
  const Bytes& ke = from_initiator ? k.sk_ei : k.sk_er;
  const Bytes& ka = from_initiator ? k.sk_ai : k.sk_ar;
  auto plain = k.integ == 0 ? aead_open(k, ke, v.aad, v.encrypted) : cbc_open(k, ke, ka, datagram, v.encrypted);
  if (!plain) return std::nullopt;
  auto unpadded = sk_unpad(*plain);
  if (!unpadded) return std::nullopt;
  return Bytes(unpadded->begin(), unpadded->end());
}

struct Inner {
  Header header;
  std::vector<Payload> payloads;
};

std::string spi_hex(IkeSpi spi) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto b : spi.bytes()) out += {kDigits[b >> 4], kDigits[b & 15]};
  return out;
}

// The keys of every IKE SA of a session by SPIi: the first one and, for rekeys
// (RFC 7296 2.18), the new IKE SAs in "rekeys" (same algorithms).
std::map<std::string, Keys> session_keys(const nlohmann::json& s) {
  std::map<std::string, Keys> out;
  auto keys = [&s](const nlohmann::json& k) {
    return Keys{s["encr"], s["integ"], s["encr_key_bits"], unhex(k["sk_ei"]), unhex(k["sk_er"]),
                unhex(k["sk_ai"]), unhex(k["sk_ar"])};
  };
  out.emplace(s["spi_i"].get<std::string>(), keys(s));
  if (s.contains("rekeys"))
    for (const auto& r : s["rekeys"])
      if (r["type"] == "ike") out.emplace(r["spi_i"].get<std::string>(), keys(r));
  return out;
}

// Every encrypted message of a capture, decrypted, SKF fragments reassembled.
std::vector<Inner> decrypt_capture(const std::string& c) {
  std::ifstream f("tests/data/strongswan/" + c + "/session.json");
  const auto all_keys = session_keys(nlohmann::json::parse(f));
  auto datagrams = capture::read_ike_datagrams("tests/data/captures/" + c + ".pcap");
  EXPECT_TRUE(datagrams);
  std::vector<Inner> out;
  FragmentAssembler fragments;
  PayloadType first = PayloadType::kNone;
  for (const auto& d : *datagrams) {
    auto h = parse_header(d.ike);
    if (!h || h->exchange == ExchangeType::kIkeSaInit) continue;
    const auto k = all_keys.find(spi_hex(h->spi_i));
    EXPECT_NE(k, all_keys.end()) << c << " frame " << d.frame << ": no keys for the IKE SA";
    if (k == all_keys.end()) continue;
    auto v = locate_encrypted(d.ike);
    EXPECT_TRUE(v) << c << " frame " << d.frame;
    if (!v) continue;
    auto plain = open(k->second, *h, d.ike, *v);
    EXPECT_TRUE(plain) << c << " frame " << d.frame << ": decryption or ICV check failed";
    if (!plain) continue;
    if (v->type == PayloadType::kSkf) {  // RFC 7383 2.6 reassembly
      const auto r = fragments.add(v->fragment_number, v->total_fragments, v->first_inner, *plain);
      if (r != FragmentAssembler::Result::kComplete) continue;
      auto whole = fragments.take();
      first = whole->first_inner;
      *plain = std::move(whole->plaintext);
    } else {
      first = v->first_inner;
    }
    auto inner = parse_payload_chain(first, *plain);
    EXPECT_TRUE(inner) << c << " frame " << d.frame << ": " << (inner ? "" : inner.error().to_string());
    if (!inner) continue;
    auto rules = check_payload_rules(h->exchange, h->response(), *inner, true);
    EXPECT_TRUE(rules) << c << " frame " << d.frame << ": " << (rules ? "" : rules.error().to_string());
    out.push_back({*h, std::move(*inner)});
  }
  return out;
}

std::string id_of(const std::vector<Payload>& ps, PayloadType t) {
  const auto* p = find_payload(ps, t);
  if (!p) return "";
  const auto& id = std::get<IdPayload>(p->body);
  return to_string(id.id_type) + ":" + std::string(id.data.begin(), id.data.end());
}

std::string ts_of(const std::vector<Payload>& ps, PayloadType t) {
  const auto* p = find_payload(ps, t);
  if (!p) return "";
  const auto& ts = std::get<TsPayload>(p->body).selectors.at(0);
  auto a = [](const Bytes& b) { return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." + std::to_string(b[3]); };
  return a(ts.start_addr) + "-" + a(ts.end_addr);
}

TEST(WireCapturesDecrypted, InnerPayloadsOfEveryCase) {
  if (!fs::is_directory("tests/data/strongswan")) GTEST_SKIP() << "no tests/data/strongswan key logs";
  for (const char* c : {"psk-x25519-aes256gcm16", "psk-modp2048-aes128-sha256", "psk-ecp384-chacha20poly1305",
                        "psk-ecp256-aes128gcm16", "psk-ecp521-aes256-sha512", "cert-ecdsa-p256", "psk-fragmented",
                        "cert-chain-fragmented", "cert-ed25519", "psk-ipv6", "psk-invalid-ke"}) {
    SCOPED_TRACE(c);
    const std::string name = c;
    std::ifstream f("tests/data/strongswan/" + name + "/session.json");
    const auto s = nlohmann::json::parse(f);
    const auto msgs = decrypt_capture(name);
    ASSERT_EQ(msgs.size(), 4u);  // IKE_AUTH request/response, INFORMATIONAL request/response
    // IKE_AUTH { SK { IDi, [CERT+], [N(INITIAL_CONTACT)], [IDr], AUTH, SAi2, TSi, TSr } } -->
    const auto& req = msgs[0].payloads;
    EXPECT_EQ(msgs[0].header.exchange, ExchangeType::kIkeAuth);
    EXPECT_EQ(id_of(req, PayloadType::kIdi), "ID_FQDN:ini.answerd.test");
    const auto* auth = find_payload(req, PayloadType::kAuth);
    ASSERT_NE(auth, nullptr);
    const bool psk = name.starts_with("psk");
    EXPECT_EQ(std::get<AuthPayload>(auth->body).method,
              psk ? AuthMethod::kSharedKeyMic : AuthMethod::kDigitalSignature);
    EXPECT_EQ(find_payload(req, PayloadType::kCert) != nullptr, !psk);
    const auto& sai2 = std::get<SaPayload>(find_payload(req, PayloadType::kSa)->body).proposals.at(0);
    EXPECT_EQ(sai2.protocol, ProtocolId::kEsp);
    EXPECT_EQ(sai2.spi, unhex(s["child"]["esp_spi_r2i"]));
    EXPECT_EQ(sai2.transforms.at(0).id, s["child"]["encr"].get<int>());
    EXPECT_EQ(ts_of(req, PayloadType::kTsi), "10.1.0.0-10.1.0.255");
    EXPECT_EQ(ts_of(req, PayloadType::kTsr), "10.2.0.0-10.2.0.255");
    // <-- { SK { IDr, [CERT+], AUTH, SAr2, TSi, TSr } }
    const auto& resp = msgs[1].payloads;
    EXPECT_TRUE(msgs[1].header.response());
    EXPECT_EQ(id_of(resp, PayloadType::kIdr), "ID_FQDN:resp.answerd.test");
    const auto& sar2 = std::get<SaPayload>(find_payload(resp, PayloadType::kSa)->body).proposals.at(0);
    EXPECT_EQ(sar2.spi, unhex(s["child"]["esp_spi_i2r"]));
    EXPECT_EQ(ts_of(resp, PayloadType::kTsr), "10.2.0.0-10.2.0.255");
    // INFORMATIONAL { SK { D(IKE) } } --> and <-- { SK {} }
    EXPECT_EQ(msgs[2].header.exchange, ExchangeType::kInformational);
    ASSERT_EQ(msgs[2].payloads.size(), 1u);
    EXPECT_EQ(std::get<DeletePayload>(msgs[2].payloads[0].body).protocol, ProtocolId::kIke);
    EXPECT_TRUE(msgs[3].payloads.empty());
    // Re-encoding the decrypted chain gives back the same octets length-wise.
    auto re = serialize_payload_chain(req);
    ASSERT_TRUE(re);
    EXPECT_EQ(parse_payload_chain(chain_first_type(req), *re).value(), req);
  }
}

const Payload& must(const std::vector<Payload>& ps, PayloadType t) {
  const Payload* p = find_payload(ps, t);
  EXPECT_NE(p, nullptr) << to_string(t);
  static const Payload kNothing{};
  return p ? *p : kNothing;
}

// psk-rekey: Child SA rekey with PFS, then IKE SA rekey, then DELETE under the new SA.
TEST(WireCapturesDecrypted, RekeyExchanges) {
  if (!fs::exists("tests/data/strongswan/psk-rekey/session.json")) GTEST_SKIP() << "no psk-rekey key log";
  std::ifstream f("tests/data/strongswan/psk-rekey/session.json");
  const auto s = nlohmann::json::parse(f);
  const auto msgs = decrypt_capture("psk-rekey");
  ASSERT_EQ(msgs.size(), 12u);
  // CREATE_CHILD_SA { SK { N(REKEY_SA), SA, Ni, KEi, TSi, TSr } } -->
  const auto& child = msgs[2];
  EXPECT_EQ(child.header.exchange, ExchangeType::kCreateChildSa);
  const auto* rekey = find_notify(child.payloads, NotifyType::kRekeySa);
  ASSERT_NE(rekey, nullptr);
  EXPECT_EQ(rekey->protocol, static_cast<std::uint8_t>(ProtocolId::kEsp));
  EXPECT_EQ(rekey->spi, unhex(s["child"]["esp_spi_r2i"]));  // the initiator's inbound SA
  const auto& esp = std::get<SaPayload>(must(child.payloads, PayloadType::kSa).body).proposals.at(0);
  EXPECT_EQ(esp.protocol, ProtocolId::kEsp);
  EXPECT_EQ(std::get<KePayload>(must(child.payloads, PayloadType::kKe).body).group, DhGroup::kCurve25519);
  EXPECT_EQ(std::get<NoncePayload>(must(child.payloads, PayloadType::kNonce).body).data, unhex(s["rekeys"][0]["ni"]));
  EXPECT_EQ(ts_of(child.payloads, PayloadType::kTsi), "10.1.0.0-10.1.0.255");
  // CREATE_CHILD_SA { SK { SA(IKE, new SPIi), Ni, KEi } } --> and <-- { SA(new SPIr), Nr, KEr }
  const auto& ike = msgs[6];
  EXPECT_EQ(ike.header.exchange, ExchangeType::kCreateChildSa);
  const auto& prop = std::get<SaPayload>(must(ike.payloads, PayloadType::kSa).body).proposals.at(0);
  EXPECT_EQ(prop.protocol, ProtocolId::kIke);
  EXPECT_EQ(prop.spi, unhex(s["rekeys"][1]["spi_i"]));
  EXPECT_EQ(find_payload(ike.payloads, PayloadType::kTsi), nullptr);
  const auto& prop_r = std::get<SaPayload>(must(msgs[7].payloads, PayloadType::kSa).body).proposals.at(0);
  EXPECT_EQ(prop_r.spi, unhex(s["rekeys"][1]["spi_r"]));
  // INFORMATIONAL { SK { D(IKE) } } under the new IKE SA, message ID 0.
  EXPECT_EQ(spi_hex(msgs[10].header.spi_i), s["rekeys"][1]["spi_i"].get<std::string>());
  EXPECT_EQ(msgs[10].header.message_id.value(), 0u);
  EXPECT_EQ(std::get<DeletePayload>(must(msgs[10].payloads, PayloadType::kDelete).body).protocol, ProtocolId::kIke);
}

// psk-natt: MOBIKE INFORMATIONAL { SK { N(NO_ADDITIONAL_ADDRESSES) } } from both sides.
TEST(WireCapturesDecrypted, NatTraversalMobikeNotifies) {
  if (!fs::exists("tests/data/strongswan/psk-natt/session.json")) GTEST_SKIP() << "no psk-natt key log";
  const auto msgs = decrypt_capture("psk-natt");
  std::size_t no_add = 0;
  for (const auto& m : msgs)
    no_add += find_notify(m.payloads, NotifyType::kNoAdditionalAddresses) != nullptr ? 1 : 0;
  EXPECT_GE(no_add, 2u);
}

}  // namespace
}  // namespace answerd::ike
