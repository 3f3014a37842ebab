// Real strongSwan 5.9.8 IKE_SA_INIT requests (tests/data/captures) replayed into
// the engine: the response must parse and carry the proposal strongSwan chose
// with its own responder when the captures were made.
#include <sys/socket.h>

#include "capture/capture.h"
#include "helpers.h"
#include "ike/wire/rules.h"

namespace answerd::sa::test {
namespace {

const char* kAnyConf = R"(
connections {
  any {
    proposals = aes256gcm16-prfsha256-x25519, aes128-sha256-modp2048, chacha20poly1305-prfsha384-ecp384, aes128gcm16-prfsha256-ecp256
    local {
      auth = psk
    }
    remote {
      auth = psk
    }
  }
}
answerd {
  dataplane = none
}
)";

struct CaptureCase {
  const char* name;
  ike::EncrId encr;
  std::optional<std::uint16_t> bits;
  ike::PrfId prf;
  std::optional<ike::IntegId> integ;
  ike::DhGroup group;
};

class StrongswanInit : public ::testing::TestWithParam<CaptureCase> {};

Endpoint ep_of(const std::array<std::uint8_t, 16>& a, int family, std::uint16_t port) {
  Endpoint e;
  e.addr.family = family == AF_INET ? 4 : 6;
  e.addr.bytes = a;
  e.port = port;
  return e;
}

TEST_P(StrongswanInit, ResponseSelectsTheExpectedProposal) {
  const auto& c = GetParam();
  auto dgrams = capture::read_ike_datagrams(std::string("tests/data/captures/") + c.name + ".pcap");
  ASSERT_TRUE(dgrams) << dgrams.error();
  const capture::IkeDatagram* req = nullptr;
  for (const auto& d : *dgrams) {
    auto hd = ike::parse_header(d.ike);
    if (hd && hd->exchange == ike::ExchangeType::kIkeSaInit && !hd->response()) {
      req = &d;
      break;
    }
  }
  ASSERT_NE(req, nullptr);
  Harness h(kAnyConf);
  Datagram d{.local = ep_of(req->dst, req->family, req->dst_port), .remote = ep_of(req->src, req->family, req->src_port),
             .bytes = req->ike};
  Output out = h.r.handle(d, h.now);
  ASSERT_TRUE(out.job);
  out.job->run();
  out = h.r.complete(std::move(out.job), h.now);
  ASSERT_EQ(out.send.size(), 1u);
  emitted_log().push_back(out.send[0].bytes);
  auto m = ike::parse_message(out.send[0].bytes);
  ASSERT_TRUE(m) << m.error().to_string();
  ASSERT_TRUE(ike::check_payload_rules(ike::ExchangeType::kIkeSaInit, true, m->payloads, false));
  Received r{m->header, m->payloads};
  const auto* sa = sa_of(r);
  ASSERT_NE(sa, nullptr);
  ASSERT_EQ(sa->proposals.size(), 1u);
  for (const auto& t : sa->proposals[0].transforms) {
    switch (t.type) {
      case ike::TransformType::kEncr:
        EXPECT_EQ(t.id, static_cast<std::uint16_t>(c.encr));
        EXPECT_EQ(t.key_length(), c.bits);
        break;
      case ike::TransformType::kPrf: EXPECT_EQ(t.id, static_cast<std::uint16_t>(c.prf)); break;
      case ike::TransformType::kInteg: EXPECT_EQ(t.id, static_cast<std::uint16_t>(c.integ.value_or(ike::IntegId::kNone))); break;
      case ike::TransformType::kDh: EXPECT_EQ(t.id, static_cast<std::uint16_t>(c.group)); break;
      default: ADD_FAILURE() << "unexpected transform type";
    }
  }
  EXPECT_EQ(transform_id(*sa, ike::TransformType::kInteg).has_value(), c.integ.has_value());
  const auto* ke = ike::body_of<ike::KePayload>(*r.find(ike::PayloadType::kKe));
  EXPECT_EQ(ke->group, c.group);
  EXPECT_NE(r.notify(ike::NotifyType::kNatDetectionSourceIp), nullptr);
  EXPECT_NE(r.notify(ike::NotifyType::kIkev2FragmentationSupported), nullptr);  // strongSwan offers it
}

INSTANTIATE_TEST_SUITE_P(
    Captures, StrongswanInit,
    ::testing::Values(
        CaptureCase{"psk-x25519-aes256gcm16", ike::EncrId::kAesGcm16, 256, ike::PrfId::kHmacSha2_256, std::nullopt, ike::DhGroup::kCurve25519},
        CaptureCase{"psk-modp2048-aes128-sha256", ike::EncrId::kAesCbc, 128, ike::PrfId::kHmacSha2_256, ike::IntegId::kHmacSha2_256_128, ike::DhGroup::kModp2048},
        CaptureCase{"psk-ecp384-chacha20poly1305", ike::EncrId::kChacha20Poly1305, std::nullopt, ike::PrfId::kHmacSha2_384, std::nullopt, ike::DhGroup::kEcp384},
        CaptureCase{"psk-ecp256-aes128gcm16", ike::EncrId::kAesGcm16, 128, ike::PrfId::kHmacSha2_256, std::nullopt, ike::DhGroup::kEcp256}),
    [](const auto& param_info) {
      std::string n = param_info.param.name;
      for (auto& ch : n) if (ch == '-') ch = '_';
      return n;
    });

}  // namespace
}  // namespace answerd::sa::test
