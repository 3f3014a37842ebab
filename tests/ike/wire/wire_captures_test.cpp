// Decoding of real strongSwan 5.9.8 sessions (initiator charon -> responder charon)
// recorded by tests/interop/make-captures.sh into tests/data/captures/CASE.pcap:
// IKE_SA_INIT, IKE_AUTH (SK or SKF fragments) and the INFORMATIONAL DELETE. Every
// IKE datagram must decode and pass the payload rules; the negotiated algorithms,
// SPIs, message IDs and notifies are checked against each case's configuration.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include <sys/socket.h>

#include "capture/capture.h"
#include "ike/wire/message.h"
#include "ike/wire/names.h"
#include "ike/wire/notify_data.h"
#include "ike/wire/rules.h"

namespace answerd::ike {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = "tests/data/captures";

// The IKE proposal each case configures (strongSwan keyword -> IANA names).
struct Case {
  const char* name;
  std::vector<std::string> transforms;  // "TYPE=NAME[/bits]" as in the chosen proposal
  DhGroup group;
  bool fragmented;
};

const std::vector<Case> kCases = {
    {"psk-x25519-aes256gcm16", {"ENCR=AES_GCM_16/256", "PRF=PRF_HMAC_SHA2_256", "KE=CURVE_25519"}, DhGroup::kCurve25519, false},
    {"psk-modp2048-aes128-sha256",
     {"ENCR=AES_CBC/128", "INTEG=HMAC_SHA2_256_128", "PRF=PRF_HMAC_SHA2_256", "KE=MODP_2048"}, DhGroup::kModp2048, false},
    {"psk-ecp384-chacha20poly1305", {"ENCR=CHACHA20_POLY1305", "PRF=PRF_HMAC_SHA2_384", "KE=ECP_384"}, DhGroup::kEcp384, false},
    {"psk-ecp256-aes128gcm16", {"ENCR=AES_GCM_16/128", "PRF=PRF_HMAC_SHA2_256", "KE=ECP_256"}, DhGroup::kEcp256, false},
    {"psk-ecp521-aes256-sha512",
     {"ENCR=AES_CBC/256", "INTEG=HMAC_SHA2_512_256", "PRF=PRF_HMAC_SHA2_512", "KE=ECP_521"}, DhGroup::kEcp521, false},
    {"cert-ecdsa-p256", {"ENCR=AES_GCM_16/256", "PRF=PRF_HMAC_SHA2_256", "KE=ECP_256"}, DhGroup::kEcp256, false},
    {"psk-fragmented",
     {"ENCR=AES_CBC/128", "INTEG=HMAC_SHA2_256_128", "PRF=PRF_HMAC_SHA2_256", "KE=ECP_256"}, DhGroup::kEcp256, true},
    {"cert-chain-fragmented", {"ENCR=AES_GCM_16/256", "PRF=PRF_HMAC_SHA2_384", "KE=ECP_384"}, DhGroup::kEcp384, true},
};

std::set<std::string> transform_set(const Proposal& p) {
  std::set<std::string> s;
  for (const auto& t : p.transforms) {
    std::string x = to_string(t.type) + "=" + transform_name(t.type, t.id);
    if (auto k = t.key_length()) x += "/" + std::to_string(*k);
    s.insert(x);
  }
  return s;
}

std::vector<Message> decode_all(const fs::path& file) {
  auto datagrams = capture::read_ike_datagrams(file.string());
  EXPECT_TRUE(datagrams) << (datagrams ? "" : datagrams.error());
  std::vector<Message> out;
  if (!datagrams) return out;
  for (const auto& d : *datagrams) {
    auto m = parse_message(d.ike);
    EXPECT_TRUE(m) << file << " frame " << d.frame << ": " << (m ? "" : m.error().to_string());
    if (!m) continue;
    auto rules = check_payload_rules(m->header.exchange, m->header.response(), m->payloads, false);
    EXPECT_TRUE(rules) << file << " frame " << d.frame << ": " << (rules ? "" : rules.error().to_string());
    out.push_back(std::move(*m));
  }
  return out;
}

void check_ike_sa_init(const Case& c, const Message& req, const Message& resp) {
  // IKE_SA_INIT { HDR, SAi1, KEi, Ni, N(NAT_D)... } -->
  EXPECT_TRUE(req.header.initiator());
  EXPECT_FALSE(req.header.response());
  EXPECT_TRUE(req.header.spi_r.is_zero());
  EXPECT_EQ(req.header.message_id.value(), 0u);
  const auto* sa = body_of<SaPayload>(*find_payload(req.payloads, PayloadType::kSa));
  ASSERT_NE(sa, nullptr);
  ASSERT_EQ(sa->proposals.size(), 1u);
  const std::set<std::string> want(c.transforms.begin(), c.transforms.end());
  EXPECT_EQ(transform_set(sa->proposals[0]), want);
  EXPECT_EQ(sa->proposals[0].protocol, ProtocolId::kIke);
  const auto* ke = body_of<KePayload>(*find_payload(req.payloads, PayloadType::kKe));
  ASSERT_NE(ke, nullptr);
  EXPECT_EQ(ke->group, c.group);
  EXPECT_NE(find_notify(req.payloads, NotifyType::kNatDetectionSourceIp), nullptr);
  EXPECT_NE(find_notify(req.payloads, NotifyType::kNatDetectionDestinationIp), nullptr);
  EXPECT_NE(find_notify(req.payloads, NotifyType::kIkev2FragmentationSupported), nullptr);
  EXPECT_EQ(find_notify(req.payloads, NotifyType::kNatDetectionSourceIp)->data.size(), 20u);  // SHA-1
  // <-- { HDR, SAr1, KEr, Nr, N(NAT_D)... }
  EXPECT_TRUE(resp.header.response());
  EXPECT_FALSE(resp.header.initiator());
  EXPECT_EQ(resp.header.spi_i, req.header.spi_i);
  EXPECT_FALSE(resp.header.spi_r.is_zero());
  const auto* sar = body_of<SaPayload>(*find_payload(resp.payloads, PayloadType::kSa));
  ASSERT_NE(sar, nullptr);
  ASSERT_EQ(sar->proposals.size(), 1u);
  EXPECT_EQ(transform_set(sar->proposals[0]), want);
  EXPECT_EQ(body_of<KePayload>(*find_payload(resp.payloads, PayloadType::kKe))->group, c.group);
  EXPECT_NE(find_payload(resp.payloads, PayloadType::kNonce), nullptr);
  EXPECT_NE(find_notify(resp.payloads, NotifyType::kIkev2FragmentationSupported), nullptr);
}

TEST(WireCaptures, StrongswanSessions) {
  if (!fs::is_directory(kDir)) GTEST_SKIP() << "no " << kDir << " (tests/interop/make-captures.sh tests/data)";
  std::size_t decoded = 0;
  for (const auto& c : kCases) {
    const fs::path file = kDir / (std::string(c.name) + ".pcap");
    if (!fs::exists(file)) {
      ADD_FAILURE() << file << " missing";
      continue;
    }
    SCOPED_TRACE(c.name);
    const auto msgs = decode_all(file);
    decoded += msgs.size();
    ASSERT_GE(msgs.size(), 4u);
    ASSERT_EQ(msgs[0].header.exchange, ExchangeType::kIkeSaInit);
    ASSERT_EQ(msgs[1].header.exchange, ExchangeType::kIkeSaInit);
    check_ike_sa_init(c, msgs[0], msgs[1]);
    const IkeSpi spi_i = msgs[1].header.spi_i, spi_r = msgs[1].header.spi_r;
    std::map<ExchangeType, std::size_t> seen;
    std::size_t fragments = 0;
    for (std::size_t i = 2; i < msgs.size(); ++i) {
      const Message& m = msgs[i];
      ++seen[m.header.exchange];
      // Every later message belongs to the same IKE SA and is encrypted.
      EXPECT_EQ(m.header.spi_i, spi_i);
      EXPECT_EQ(m.header.spi_r, spi_r);
      ASSERT_EQ(m.payloads.size(), 1u);
      const Payload& p = m.payloads[0];
      if (m.header.exchange == ExchangeType::kIkeAuth) {
        EXPECT_EQ(m.header.message_id.value(), 1u);
        const PayloadType first = m.header.response() ? PayloadType::kIdr : PayloadType::kIdi;
        if (const auto* skf = body_of<SkfPayload>(p)) {
          ++fragments;
          EXPECT_EQ(skf->first_inner, skf->fragment_number == 1 ? first : PayloadType::kNone);
          EXPECT_LE(skf->fragment_number, skf->total_fragments);
        } else {
          ASSERT_NE(body_of<SkPayload>(p), nullptr);
          EXPECT_EQ(body_of<SkPayload>(p)->first_inner, first);
        }
      } else if (m.header.exchange == ExchangeType::kInformational) {
        // INFORMATIONAL { SK { D } } --> and the empty response.
        const auto* sk = body_of<SkPayload>(p);
        ASSERT_NE(sk, nullptr);
        EXPECT_EQ(sk->first_inner, m.header.response() ? PayloadType::kNone : PayloadType::kDelete);
      }
    }
    EXPECT_GE(seen[ExchangeType::kIkeAuth], 2u);
    EXPECT_EQ(seen[ExchangeType::kInformational], 2u);
    EXPECT_EQ(fragments > 0, c.fragmented);
  }
  EXPECT_GT(decoded, 0u);
}

// Every capture, including the ones without a case above, decodes completely.
TEST(WireCaptures, EveryDatagramOfEveryCaptureDecodes) {
  if (!fs::is_directory(kDir)) GTEST_SKIP() << "no " << kDir;
  std::size_t files = 0, messages = 0;
  for (const auto& e : fs::directory_iterator(kDir)) {
    if (e.path().extension() != ".pcap") continue;
    ++files;
    messages += decode_all(e.path()).size();
  }
  EXPECT_GE(files, kCases.size());
  EXPECT_GE(messages, files * 6);
}

// IKE_SA_INIT { SAi1(x25519, ecp256), KEi(x25519), Ni } -->
// <-- { N(INVALID_KE_PAYLOAD(ECP_256)) }, then the retry with KEi(ecp256).
TEST(WireCaptures, InvalidKePayloadRetry) {
  const fs::path file = kDir / "psk-invalid-ke.pcap";
  if (!fs::exists(file)) GTEST_SKIP() << file << " missing";
  const auto msgs = decode_all(file);
  ASSERT_GE(msgs.size(), 4u);
  ASSERT_EQ(msgs[1].payloads.size(), 1u);
  const auto* n = find_notify(msgs[1].payloads, NotifyType::kInvalidKePayload);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(parse_invalid_ke_payload(n->data), DhGroup::kEcp256);
  EXPECT_TRUE(msgs[1].header.spi_r.is_zero());
  EXPECT_EQ(msgs[2].header.spi_i, msgs[0].header.spi_i);
  EXPECT_EQ(body_of<KePayload>(*find_payload(msgs[0].payloads, PayloadType::kKe))->group, DhGroup::kCurve25519);
  EXPECT_EQ(body_of<KePayload>(*find_payload(msgs[2].payloads, PayloadType::kKe))->group, DhGroup::kEcp256);
  EXPECT_EQ(body_of<KePayload>(*find_payload(msgs[3].payloads, PayloadType::kKe))->group, DhGroup::kEcp256);
  const auto* sa = body_of<SaPayload>(*find_payload(msgs[0].payloads, PayloadType::kSa));
  EXPECT_EQ(transform_set(sa->proposals.at(0)).count("KE=ECP_256"), 1u);
}

// NAT-T: keepalives and ESP-in-UDP on 4500 are skipped, IKE there has the marker
// removed; MOBIKE's INFORMATIONAL from the responder has the Initiator flag clear.
TEST(WireCaptures, NatTraversalAndIpv6) {
  const fs::path natt = kDir / "psk-natt.pcap", v6 = kDir / "psk-ipv6.pcap";
  if (!fs::exists(natt) || !fs::exists(v6)) GTEST_SKIP() << "NAT-T/IPv6 captures missing";
  capture::CaptureStats st;
  auto d = capture::read_ike_datagrams(natt.string(), &st);
  ASSERT_TRUE(d);
  EXPECT_GE(st.keepalives, 1u);
  EXPECT_GE(st.esp_in_udp, 2u);
  bool responder_request = false;
  for (const auto& x : *d) {
    EXPECT_EQ(x.natt, x.dst_port == 4500 || x.src_port == 4500);
    auto m = parse_message(x.ike);
    ASSERT_TRUE(m);
    responder_request |= !m->header.initiator() && !m->header.response();
  }
  EXPECT_TRUE(responder_request);
  EXPECT_EQ(decode_all(natt).size(), d->size());
  auto d6 = capture::read_ike_datagrams(v6.string());
  ASSERT_TRUE(d6);
  ASSERT_FALSE(d6->empty());
  EXPECT_EQ((*d6)[0].family, AF_INET6);
  EXPECT_EQ((*d6)[0].src_addr(), "2001:db8::1");
  EXPECT_EQ(decode_all(v6).size(), d6->size());
}

}  // namespace
}  // namespace answerd::ike
