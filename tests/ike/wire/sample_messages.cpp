// Sample messages for the codec tests (see sample_messages.h).
#include "sample_messages.h"

namespace answerd::ike::testing {
namespace {

Bytes filled(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7);
  return b;
}

SaPayload ike_proposals() {
  using T = TransformType;
  Proposal gcm{1, ProtocolId::kIke, {}, {}};
  gcm.transforms = {make_transform(T::kEncr, static_cast<std::uint16_t>(EncrId::kAesGcm16), 256),
                    make_transform(T::kPrf, static_cast<std::uint16_t>(PrfId::kHmacSha2_256)),
                    make_transform(T::kDh, static_cast<std::uint16_t>(DhGroup::kCurve25519))};
  Proposal cbc{2, ProtocolId::kIke, {}, {}};
  cbc.transforms = {make_transform(T::kEncr, static_cast<std::uint16_t>(EncrId::kAesCbc), 128),
                    make_transform(T::kInteg, static_cast<std::uint16_t>(IntegId::kHmacSha2_256_128)),
                    make_transform(T::kPrf, static_cast<std::uint16_t>(PrfId::kHmacSha2_256)),
                    make_transform(T::kDh, static_cast<std::uint16_t>(DhGroup::kModp2048))};
  return SaPayload{{gcm, cbc}};
}

SaPayload esp_proposal() {
  using T = TransformType;
  Proposal p{1, ProtocolId::kEsp, {0xc1, 0x2a, 0x33, 0x04}, {}};
  p.transforms = {make_transform(T::kEncr, static_cast<std::uint16_t>(EncrId::kAesGcm16), 128),
                  make_transform(T::kEsn, static_cast<std::uint16_t>(EsnId::kNoEsn))};
  return SaPayload{{p}};
}

TsPayload v4_ts() {
  TrafficSelector a{TsType::kIpv4AddrRange, 0, 0, 0xffff, {10, 1, 0, 0}, {10, 1, 0, 255}, {}};
  TrafficSelector b{TsType::kIpv4AddrRange, 17, 500, 500, {192, 0, 2, 1}, {192, 0, 2, 1}, {}};
  return TsPayload{{a, b}};
}

TsPayload v6_ts() {
  Bytes lo(16, 0), hi(16, 0xff);
  lo[0] = 0x20, lo[1] = 0x01, lo[2] = 0x0d, lo[3] = 0xb8;
  hi[0] = 0x20, hi[1] = 0x01, hi[2] = 0x0d, hi[3] = 0xb8;
  return TsPayload{{TrafficSelector{TsType::kIpv6AddrRange, 6, 1024, 65535, lo, hi, {}}}};
}

Header header(ExchangeType x, bool response, std::uint32_t mid, bool with_spi_r) {
  Header h;
  h.spi_i = IkeSpi(0x1122334455667788ull);
  h.spi_r = IkeSpi(with_spi_r ? 0x99aabbccddeeff00ull : 0);
  h.exchange = x;
  h.flags = response ? kFlagResponse : kFlagInitiator;
  h.message_id = MessageId(mid);
  return h;
}

}  // namespace

std::vector<Payload> every_payload() {
  std::vector<Payload> v;
  v.push_back(make_payload(ike_proposals()));
  v.push_back(make_payload(esp_proposal()));
  v.push_back(make_payload(KePayload{DhGroup::kCurve25519, filled(32, 1)}));
  v.push_back(make_payload(PayloadType::kIdi, IdPayload{IdType::kFqdn, Bytes{'s', 'p', 'o', 'k', 'e'}}));
  v.push_back(make_payload(PayloadType::kIdr, IdPayload{IdType::kIpv4Addr, Bytes{192, 0, 2, 1}}));
  v.push_back(make_payload(PayloadType::kIdr, IdPayload{IdType::kIpv6Addr, filled(16, 3)}));
  v.push_back(make_payload(PayloadType::kIdi, IdPayload{IdType::kDerAsn1Dn, filled(40, 9)}));
  v.push_back(make_payload(PayloadType::kIdi, IdPayload{IdType::kKeyId, filled(8, 2)}));
  v.push_back(make_payload(PayloadType::kCert, CertPayload{CertEncoding::kX509Signature, filled(300, 4)}));
  v.push_back(make_payload(PayloadType::kCertreq, CertPayload{CertEncoding::kX509Signature, filled(40, 5)}));
  v.push_back(make_payload(AuthPayload{AuthMethod::kSharedKeyMic, filled(32, 6)}));
  v.push_back(make_payload(NoncePayload{filled(32, 7)}));
  v.push_back(make_notify(NotifyType::kNatDetectionSourceIp, filled(20, 8)));
  v.push_back(make_payload(NotifyPayload{3, {1, 2, 3, 4}, NotifyType::kRekeySa, {}}));
  v.push_back(make_payload(DeletePayload{ProtocolId::kEsp, 4, {{1, 2, 3, 4}, {5, 6, 7, 8}}}));
  v.push_back(make_payload(DeletePayload{ProtocolId::kIke, 0, {}}));
  v.push_back(make_payload(VendorIdPayload{filled(16, 10)}));
  v.push_back(make_payload(PayloadType::kTsi, v4_ts()));
  v.push_back(make_payload(PayloadType::kTsr, v6_ts()));
  v.push_back(make_payload(CpPayload{CfgType::kRequest, {{1, {}}, {3, {}}, {8, {}}}}));
  v.push_back(make_payload(CpPayload{CfgType::kReply, {{1, {10, 3, 0, 1}}}}));
  v.push_back(make_payload(EapPayload{Bytes{2, 7, 0, 10, 1, 'u', 's', 'e', 'r', '1'}}));
  v.push_back(Payload{static_cast<PayloadType>(200), false, UnknownPayload{filled(5, 11)}});
  v.push_back(make_payload(SkPayload{PayloadType::kIdi, filled(64, 12)}));
  return v;
}

Message ike_sa_init_request() {
  Message m{header(ExchangeType::kIkeSaInit, false, 0, false), {}};
  m.payloads.push_back(make_payload(ike_proposals()));
  m.payloads.push_back(make_payload(KePayload{DhGroup::kCurve25519, filled(32, 20)}));
  m.payloads.push_back(make_payload(NoncePayload{filled(32, 21)}));
  m.payloads.push_back(make_notify(NotifyType::kNatDetectionSourceIp, filled(20, 22)));
  m.payloads.push_back(make_notify(NotifyType::kNatDetectionDestinationIp, filled(20, 23)));
  m.payloads.push_back(make_notify(NotifyType::kIkev2FragmentationSupported));
  m.payloads.push_back(make_notify(NotifyType::kSignatureHashAlgorithms, Bytes{0, 2, 0, 3, 0, 4, 0, 5}));
  m.payloads.push_back(make_payload(VendorIdPayload{filled(16, 24)}));
  return m;
}

Message ike_sa_init_response() {
  Message m{header(ExchangeType::kIkeSaInit, true, 0, true), {}};
  SaPayload sa = ike_proposals();
  sa.proposals.resize(1);
  m.payloads.push_back(make_payload(sa));
  m.payloads.push_back(make_payload(KePayload{DhGroup::kCurve25519, filled(32, 30)}));
  m.payloads.push_back(make_payload(NoncePayload{filled(32, 31)}));
  m.payloads.push_back(make_notify(NotifyType::kNatDetectionSourceIp, filled(20, 32)));
  m.payloads.push_back(make_notify(NotifyType::kNatDetectionDestinationIp, filled(20, 33)));
  m.payloads.push_back(make_payload(PayloadType::kCertreq, CertPayload{CertEncoding::kX509Signature, filled(20, 34)}));
  m.payloads.push_back(make_notify(NotifyType::kMultipleAuthSupported));
  return m;
}

std::vector<Payload> ike_auth_request_inner() {
  std::vector<Payload> v;
  v.push_back(make_payload(PayloadType::kIdi, IdPayload{IdType::kFqdn, Bytes{'s', 'p', 'o', 'k', 'e'}}));
  v.push_back(make_payload(PayloadType::kCert, CertPayload{CertEncoding::kX509Signature, filled(200, 40)}));
  v.push_back(make_notify(NotifyType::kInitialContact));
  v.push_back(make_payload(PayloadType::kIdr, IdPayload{IdType::kFqdn, Bytes{'h', 'u', 'b'}}));
  v.push_back(make_payload(AuthPayload{AuthMethod::kSharedKeyMic, filled(32, 41)}));
  v.push_back(make_payload(CpPayload{CfgType::kRequest, {{1, {}}}}));
  v.push_back(make_payload(esp_proposal()));
  v.push_back(make_payload(PayloadType::kTsi, v4_ts()));
  v.push_back(make_payload(PayloadType::kTsr, v4_ts()));
  return v;
}

Message informational_delete_outer() {
  Message m{header(ExchangeType::kInformational, false, 2, true), {}};
  m.payloads.push_back(make_payload(SkPayload{PayloadType::kDelete, filled(48, 50)}));
  return m;
}

}  // namespace answerd::ike::testing
