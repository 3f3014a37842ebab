// Certificate authentication for the scripted initiator: a test PKI made with the
// openssl tool at run time (one CA, a foreign CA, our hub and spoke certificates of
// every key type), the initiator's signature AUTH, and the check of the responder's
// AUTH with the certificate it sent. Keys and certificates are real; nothing here is
// a canned answer.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "harness.h"
#include "ike/crypto/pki/identity.h"
#include "ike/crypto/pki/signature.h"
#include "ike/crypto/pki/x509.h"
#include "ike/sa/auth_pubkey.h"
#include "pki_test_support.h"

namespace answerd::sa::test {

namespace pki = crypto::pki;

// The PKI of the whole suite, made once: ca (P-256), other-ca (P-256), hub-<kind>
// and spoke-<kind> for kinds rsa, p256, p384, ed25519, sub (an intermediate CA under
// ca) and spoke-chain (RSA 3072 under sub, for big chains).
class TestPki {
 public:
  static TestPki& get() {
    static TestPki p;
    return p;
  }
  [[nodiscard]] std::filesystem::path path(const std::string& name) const { return dir_ / name; }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] pki::Certificate cert(const std::string& name) const {
    return *pki::load_certificate_file(path(name + ".pem"));
  }
  [[nodiscard]] pki::PrivateKey key(const std::string& name) const {
    return std::move(*pki::load_private_key_file(path(name + ".key")));
  }

 private:
  TestPki() {
    using crypto::test::make_ca;
    using crypto::test::make_cert;
    const auto& d = dir_.path();
    const std::string ca_ext = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign";
    ok_ = make_ca(d, "ca", "p256", "/C=CH/O=answerd test/CN=ca") &&
          make_ca(d, "other-ca", "p256", "/C=CH/O=answerd test/CN=other-ca") &&
          make_cert(d, "sub", "p256", "/C=CH/O=answerd test/CN=sub", "ca", ca_ext);
    for (const char* kind : {"rsa", "p256", "p384", "ed25519"}) {
      ok_ = ok_ && make_cert(d, std::string("hub-") + kind, kind, "/C=CH/O=answerd test/CN=hub.example", "ca",
                             "subjectAltName=DNS:hub.example");
      ok_ = ok_ && make_cert(d, std::string("spoke-") + kind, kind, "/C=CH/O=answerd test/CN=a.spoke.example", "ca",
                             "subjectAltName=DNS:a.spoke.example");
    }
    ok_ = ok_ &&
          make_cert(d, "spoke-foreign", "p256", "/C=CH/O=answerd test/CN=a.spoke.example", "other-ca",
                    "subjectAltName=DNS:a.spoke.example") &&
          make_cert(d, "spoke-chain", "rsa3072", "/C=CH/O=answerd test/CN=a.spoke.example", "sub",
                    "subjectAltName=DNS:a.spoke.example");
  }
  crypto::test::ScratchDir dir_;
  bool ok_ = false;
};

// connections.hub with certificates: our hub-<hub_kind>, peers of ca.
inline std::string pubkey_conf(const std::string& hub_kind, const std::string& extra_conn = "",
                               const std::string& remote_id = "*.spoke.example") {
  const auto& p = TestPki::get();
  return "connections {\n hub {\n  local_addrs = 192.0.2.1\n  remote_addrs = 198.51.100.0/24\n" + extra_conn +
         "  local {\n   auth = pubkey\n   id = hub.example\n   certs = " + p.path("hub-" + hub_kind + ".pem").string() +
         "\n  }\n  remote {\n   auth = pubkey\n   id = " + remote_id +
         "\n   cacerts = " + p.path("ca.pem").string() +
         "\n  }\n  children {\n   net {\n    local_ts = 10.1.0.0/16\n    remote_ts = 10.2.0.0/16\n   }\n  }\n }\n}\n"
         "secrets {\n private-hub {\n  file = " + p.path("hub-" + hub_kind + ".key").string() +
         "\n }\n}\nanswerd {\n dataplane = none\n cookie_threshold = 50\n}\n";
}

// A fixed wall clock inside every test certificate's validity.
inline std::chrono::system_clock::time_point test_wall_clock() { return std::chrono::system_clock::now(); }

// Loads the PubkeyAuthenticator of the harness's config into its responder.
inline void add_pubkey(Harness& h, PubkeyAuthenticator::WallClock clock = test_wall_clock) {
  auto a = PubkeyAuthenticator::load(h.cfg, std::move(clock));
  if (!a) {
    for (const auto& e : a.error()) ADD_FAILURE() << e;
    return;
  }
  h.r.add_authenticator(std::move(*a));
}

inline ike::Payload cert_payload(const pki::Certificate& c) {
  const auto d = c.der();
  return ike::make_payload(ike::PayloadType::kCert,
                           ike::CertPayload{ike::CertEncoding::kX509Signature, Bytes(d.begin(), d.end())});
}
inline ike::Payload certreq_for(const pki::Certificate& ca) {
  const auto h = ca.key_hash();
  return ike::make_payload(ike::PayloadType::kCertreq,
                           ike::CertPayload{ike::CertEncoding::kX509Signature, Bytes(h.begin(), h.end())});
}

// RFC 7296 2.15: the initiator's signed octets and its signature AUTH.
inline ike::AuthPayload sig_auth(const Initiator& ini, const pki::PrivateKey& key, const ike::IdPayload& idi,
                                 pki::SignatureChoice choice) {
  const auto body = *ike::serialize_body(ike::PayloadBody(idi));
  auto octets = pki::signed_octets(ini.suite.prf, {ini.init_request, ini.nr, ini.keys.sk_pi.view(), body});
  return ike::AuthPayload{choice.method, *pki::sign_auth(key, choice, *octets)};
}

// The responder's AUTH checked with the key of the first CERT it sent (or `key`).
inline bool verify_responder_sig(const Initiator& ini, const Received& r, const pki::PublicKey& key) {
  const auto* idr = r.find(ike::PayloadType::kIdr);
  const auto* auth = r.find(ike::PayloadType::kAuth);
  if (idr == nullptr || auth == nullptr) return false;
  const auto body = *ike::serialize_body(idr->body);
  auto octets = pki::signed_octets(ini.suite.prf, {ini.init_response, ini.ni, ini.keys.sk_pr.view(), body});
  const auto* a = ike::body_of<ike::AuthPayload>(*auth);
  return pki::verify_auth(key, a->method, a->data, *octets).has_value();
}

inline std::vector<pki::Certificate> certs_in(const Received& r) {
  std::vector<pki::Certificate> out;
  for (const auto& p : r.payloads)
    if (p.type == ike::PayloadType::kCert)
      if (auto c = pki::Certificate::from_der(ike::body_of<ike::CertPayload>(p)->data)) out.push_back(*c);
  return out;
}

}  // namespace answerd::sa::test
