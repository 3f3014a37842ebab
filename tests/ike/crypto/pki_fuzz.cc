// libFuzzer harness for the pki/ parsers that see peer bytes: CERT payload data
// (Certificate::from_der and everything read from the certificate afterwards),
// RFC 7427 AUTH data (AlgorithmIdentifier with RSASSA-PSS parameters), DER DNs of
// ID payloads, CERTREQ data and signature verification of arbitrary AUTH data.
// Byte 0 picks the target; the rest is the input. Seeds: tests/ike/crypto/
// pki_fuzz_corpus (the captured strongSwan certificates, RFC 7427 identifiers).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ike/crypto/pki/identity.h"
#include "ike/crypto/pki/signature.h"
#include "ike/crypto/pki/trust.h"
#include "ike/crypto/pki/x509.h"

namespace {

using namespace answerd;  // NOLINT(google-build-using-namespace): harness only
using crypto::pki::Bytes;

void fuzz_cert(Bytes in) {
  auto c = crypto::pki::Certificate::from_der(in);
  if (!c) return;
  if (c->der().size() != in.size()) __builtin_trap();
  (void)c->subject_text();
  (void)c->issuer_text();
  (void)c->key_hash();
  (void)c->is_ca();
  (void)c->public_key().type();
  (void)crypto::pki::parse_dn(c->subject_der());
  for (const auto& a : c->alt_names()) {
    const auto type = a.kind == crypto::pki::AltName::Kind::kDns   ? ike::IdType::kFqdn
                      : a.kind == crypto::pki::AltName::Kind::kIp ? ike::IdType::kIpv4Addr
                                                                   : ike::IdType::kRfc822Addr;
    (void)crypto::pki::check_identity(*c, crypto::pki::IkeId{type, a.value});
  }
  const auto subject = c->subject_der();
  (void)crypto::pki::check_identity(*c, crypto::pki::IkeId{ike::IdType::kDerAsn1Dn, subject});
}

void fuzz_auth_data(Bytes in) {
  auto d = crypto::pki::parse_digital_signature(in);
  if (d && (d->signature.empty() || d->algorithm_identifier.size() != in[0])) __builtin_trap();
  (void)crypto::pki::parse_algorithm_identifier(in);
}

void fuzz_dn(Bytes in) {
  auto dn = crypto::pki::parse_dn(in);
  if (dn && !crypto::pki::dn_matches(in, in)) __builtin_trap();  // reflexive
  if (dn) (void)crypto::pki::dn_to_string(*dn);
}

void fuzz_certreq(Bytes in) {
  auto h = crypto::pki::parse_certreq(in);
  if (h && h->size() * 20 != in.size()) __builtin_trap();
}

// Any AUTH data under any method against a fixed P-256 key: must never verify.
void fuzz_verify(std::uint8_t method, Bytes in) {
  static const std::vector<std::uint8_t> kSpki = {
      0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
      0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04, 0x51, 0x19, 0x47, 0x97, 0x7a,
      0x2a, 0x9a, 0x6f, 0x8f, 0xe0, 0x68, 0x8a, 0xa8, 0xd6, 0xe6, 0x83, 0x5b, 0x3c, 0xf3, 0xf7, 0x75,
      0x7f, 0x4f, 0x6c, 0x4d, 0xa2, 0x87, 0x37, 0xd5, 0x02, 0x39, 0x18, 0x72, 0x59, 0x67, 0x9d, 0xb6,
      0x7a, 0x44, 0xa4, 0x31, 0xf9, 0xed, 0x65, 0x08, 0xdd, 0x7d, 0x1e, 0x67, 0x7d, 0xd0, 0xd6, 0x7d,
      0x70, 0x6a, 0x63, 0x08, 0x4c, 0x3e, 0xe9, 0xd7, 0x65, 0x9e, 0x4c};
  static const auto key = crypto::pki::load_public_key(kSpki);
  if (!key) __builtin_trap();
  static const std::uint8_t kOctets[] = {'s', 'i', 'g', 'n', 'e', 'd'};
  if (crypto::pki::verify_auth(*key, static_cast<ike::AuthMethod>(method % 16), in, kOctets))
    __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const Bytes in(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0: fuzz_cert(in); break;
    case 1: fuzz_auth_data(in); break;
    case 2: fuzz_dn(in); break;
    case 3: fuzz_certreq(in); break;
    default: fuzz_verify(in[0], in.subspan(1)); break;
  }
  return 0;
}
