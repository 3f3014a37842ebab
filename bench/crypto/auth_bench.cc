// Per-handshake crypto of IKE_AUTH and the key derivation, answerd's wrapper next to
// the raw OpenSSL primitive measured in the same run (docs/benchmarks.md, "OpenSSL
// calls per handshake"). The raw side is the cheapest way OpenSSL 3 offers to do
// the same work: algorithms fetched once, contexts keyed once and duplicated or
// reused per operation (as `openssl speed` does), no encoding or error handling.
//   prf:        prf(HMAC-SHA-256, 32-octet key, 600 octets)  vs EVP_MAC ctx dup + init + mac
//   prf_plus:   derive_ike_keys' 168 octets (6 blocks)       vs 6 EVP_MAC_CTX_dup of a keyed ctx
//   gcm_seal:   Aead::encrypt AES-256-GCM, 300 octets        vs a reused keyed EVP_CIPHER_CTX
//   ecdsa_sign: sign_auth, method 14 ECDSA-SHA-256 (RFC 7427) vs SHA-256 + EVP_PKEY_sign, reused ctx
//   ecdsa_verify: verify_auth, the same                      vs SHA-256 + EVP_PKEY_verify, reused ctx
//   cert_parse: Certificate::from_der, the same P-256 end entity every time (served by
//               the parsed-certificate cache after the first call) vs d2i_X509 of it
//   cert_parse_distinct: Certificate::from_der cycling through 4x the cache's capacity
//               of distinct certificates (every call a miss and an eviction: a peer
//               flooding new certificates) vs d2i_X509 + X509_free of the same bytes
//   chain_verify: TrustStore::verify (EE under one CA)       vs X509_verify(EE, CA key)
// At exit a table prints both rates (ops per CPU second) and answerd's share.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "ike/crypto/cipher.h"
#include "ike/crypto/keymat.h"
#include "ike/crypto/pki/signature.h"
#include "ike/crypto/pki/trust.h"
#include "ike/crypto/pki/x509.h"
#include "ike/crypto/prf.h"
#include "x509_maker.h"  // tests/ike/crypto

namespace {

namespace pki = answerd::crypto::pki;
using answerd::ike::PrfId;
using Octets = std::vector<std::uint8_t>;
using answerd::crypto::test::der_of;
using answerd::crypto::test::make_x509;

const Octets kKey(32, 0x42);
const Octets kData(600, 0x5a);

// --- a P-256 CA and end entity made in process -------------------------------------


struct Pki {
  EVP_PKEY* ca_key = EVP_EC_gen("P-256");
  EVP_PKEY* ee_key = EVP_EC_gen("P-256");
  X509* ca = make_x509(ca_key, "bench CA", nullptr, ca_key, true);
  X509* ee = make_x509(ee_key, "spoke.example", ca, ca_key, false);
  Octets ca_der = der_of(ca), ee_der = der_of(ee);
};
const Pki& pki_fixture() {
  static const Pki p;
  return p;
}

pki::PrivateKey private_key(EVP_PKEY* k) {
  unsigned char* out = nullptr;
  const int len = i2d_PrivateKey(k, &out);
  auto key = pki::load_private_key(Octets(out, out + len), "bench");
  OPENSSL_clear_free(out, static_cast<std::size_t>(len));
  return std::move(*key);
}

constexpr pki::SignatureChoice kEcdsa256{answerd::ike::AuthMethod::kDigitalSignature,
                                         pki::SignatureScheme::kEcdsaSha256};

// --- prf, prf+, AEAD ----------------------------------------------------------------

void BM_PrfAnswerd(benchmark::State& state) {
  std::array<std::uint8_t, 32> out{};
  for (auto _ : state) {
    auto r = answerd::crypto::prf(PrfId::kHmacSha2_256, kKey, {kData}, out);
    benchmark::DoNotOptimize(r);
  }
}

EVP_MAC_CTX* hmac_template(const unsigned char* key, std::size_t len) {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  char digest[] = "SHA2-256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  EVP_MAC_init(ctx, key, len, params);
  return ctx;
}

void BM_PrfRaw(benchmark::State& state) {
  EVP_MAC_CTX* tmpl = hmac_template(nullptr, 0);  // digest set, no key yet
  std::array<std::uint8_t, 32> out{};
  for (auto _ : state) {
    EVP_MAC_CTX* c = EVP_MAC_CTX_dup(tmpl);
    std::size_t n = 0;
    EVP_MAC_init(c, kKey.data(), kKey.size(), nullptr);
    EVP_MAC_update(c, kData.data(), kData.size());
    EVP_MAC_final(c, out.data(), &n, out.size());
    EVP_MAC_CTX_free(c);
  }
  EVP_MAC_CTX_free(tmpl);
}

void BM_PrfPlusAnswerd(benchmark::State& state) {
  const Octets ni(32, 1), nr(32, 2);
  const answerd::crypto::IkeSuite suite{};  // aes256gcm16-prfsha256: 3*32 + 2*36 octets
  for (auto _ : state) {
    auto k = answerd::crypto::derive_ike_keys(suite, kKey, ni, nr, answerd::ike::IkeSpi(1),
                                              answerd::ike::IkeSpi(2));
    benchmark::DoNotOptimize(k);
  }
}

void BM_PrfPlusRaw(benchmark::State& state) {
  const std::uint8_t seed[80] = {};  // Ni | Nr | SPIi | SPIr
  std::array<std::uint8_t, 6 * 32> out{};
  for (auto _ : state) {
    EVP_MAC_CTX* keyed = hmac_template(kKey.data(), kKey.size());
    for (std::uint8_t i = 1; i <= 6; ++i) {
      EVP_MAC_CTX* c = EVP_MAC_CTX_dup(keyed);
      std::size_t n = 0;
      if (i > 1) EVP_MAC_update(c, out.data() + 32 * (i - 2), 32);
      EVP_MAC_update(c, seed, sizeof seed);
      EVP_MAC_update(c, &i, 1);
      EVP_MAC_final(c, out.data() + 32 * (i - 1), &n, 32);
      EVP_MAC_CTX_free(c);
    }
    EVP_MAC_CTX_free(keyed);
  }
}

void BM_GcmAnswerd(benchmark::State& state) {
  auto aead = answerd::crypto::Aead::create(answerd::ike::EncrId::kAesGcm16, 256, Octets(36, 7));
  const Octets plain(300, 3), aad(32, 4), iv(8, 5);
  Octets out(plain.size() + 16);
  for (auto _ : state) {
    auto r = aead->encrypt(iv, aad, plain, out);
    benchmark::DoNotOptimize(r);
  }
}

void BM_GcmRaw(benchmark::State& state) {
  EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  const Octets key(32, 7), nonce(12, 5), plain(300, 3), aad(32, 4);
  Octets out(plain.size() + 16);
  EVP_EncryptInit_ex2(ctx, c, key.data(), nullptr, nullptr);
  for (auto _ : state) {
    int len = 0;
    EVP_EncryptInit_ex2(ctx, nullptr, nullptr, nonce.data(), nullptr);
    EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size()));
    EVP_EncryptUpdate(ctx, out.data(), &len, plain.data(), static_cast<int>(plain.size()));
    EVP_EncryptFinal_ex(ctx, out.data() + len, &len);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + plain.size());
  }
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(c);
}

// --- ECDSA P-256 AUTH, certificate parsing and path validation ------------------------

void BM_SignAnswerd(benchmark::State& state) {
  const auto key = private_key(pki_fixture().ee_key);
  for (auto _ : state) {
    auto sig = pki::sign_auth(key, kEcdsa256, kData);
    if (!sig) state.SkipWithError("sign_auth failed");
    benchmark::DoNotOptimize(sig);
  }
}

// SHA-256 of the octets, then the signature on a context set up once.
void BM_SignRaw(benchmark::State& state) {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pki_fixture().ee_key, nullptr);
  EVP_PKEY_sign_init(ctx);
  std::array<unsigned char, 32> h{};
  std::array<unsigned char, 80> sig{};
  for (auto _ : state) {
    std::size_t len = sig.size();
    EVP_Digest(kData.data(), kData.size(), h.data(), nullptr, md, nullptr);
    if (EVP_PKEY_sign(ctx, sig.data(), &len, h.data(), h.size()) != 1) state.SkipWithError("sign");
  }
  EVP_PKEY_CTX_free(ctx);
  EVP_MD_free(md);
}

void BM_VerifyAnswerd(benchmark::State& state) {
  const auto key = private_key(pki_fixture().ee_key);
  const auto sig = pki::sign_auth(key, kEcdsa256, kData);
  const auto pub = pki::Certificate::from_der(pki_fixture().ee_der)->public_key();
  for (auto _ : state) {
    auto ok = pki::verify_auth(pub, kEcdsa256.method, *sig, kData);
    if (!ok) state.SkipWithError("verify_auth failed");
  }
}

void BM_VerifyRaw(benchmark::State& state) {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  EVP_PKEY_CTX* sctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pki_fixture().ee_key, nullptr);
  std::array<unsigned char, 32> h{};
  std::array<unsigned char, 80> sig{};
  std::size_t len = sig.size();
  EVP_Digest(kData.data(), kData.size(), h.data(), nullptr, md, nullptr);
  EVP_PKEY_sign_init(sctx);
  EVP_PKEY_sign(sctx, sig.data(), &len, h.data(), h.size());
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, X509_get0_pubkey(pki_fixture().ee), nullptr);
  EVP_PKEY_verify_init(ctx);
  for (auto _ : state) {
    EVP_Digest(kData.data(), kData.size(), h.data(), nullptr, md, nullptr);
    if (EVP_PKEY_verify(ctx, sig.data(), len, h.data(), h.size()) != 1) state.SkipWithError("verify");
  }
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_CTX_free(sctx);
  EVP_MD_free(md);
}

void BM_CertParseAnswerd(benchmark::State& state) {
  for (auto _ : state) {
    auto c = pki::Certificate::from_der(pki_fixture().ee_der);
    benchmark::DoNotOptimize(c);
  }
}

void BM_CertParseRaw(benchmark::State& state) {
  const Octets& der = pki_fixture().ee_der;
  for (auto _ : state) {
    const unsigned char* p = der.data();
    X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    benchmark::DoNotOptimize(x);
    X509_free(x);
  }
}

// 4 * kParsedCacheCapacity distinct DERs: the end entity with its last two octets
// (inside the signature BIT STRING, not checked by parsing) numbered.
const std::vector<Octets>& distinct_ders() {
  static const std::vector<Octets> all = [] {
    std::vector<Octets> v(4 * pki::kParsedCacheCapacity, pki_fixture().ee_der);
    for (std::size_t i = 0; i < v.size(); ++i) {
      v[i][v[i].size() - 1] = static_cast<std::uint8_t>(i);
      v[i][v[i].size() - 2] = static_cast<std::uint8_t>(i >> 8);
    }
    return v;
  }();
  return all;
}

void BM_CertParseDistinctAnswerd(benchmark::State& state) {
  const auto& ders = distinct_ders();
  std::size_t i = 0;
  for (auto _ : state) {
    auto c = pki::Certificate::from_der(ders[i++ % ders.size()]);
    if (!c) state.SkipWithError("from_der failed");
    benchmark::DoNotOptimize(c);
  }
}

void BM_CertParseDistinctRaw(benchmark::State& state) {
  const auto& ders = distinct_ders();
  std::size_t i = 0;
  for (auto _ : state) {
    const Octets& der = ders[i++ % ders.size()];
    const unsigned char* p = der.data();
    X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    benchmark::DoNotOptimize(x);
    X509_free(x);
  }
}

void BM_ChainAnswerd(benchmark::State& state) {
  auto ca = pki::Certificate::from_der(pki_fixture().ca_der);
  auto ee = pki::Certificate::from_der(pki_fixture().ee_der);
  auto trust = pki::TrustStore::create({*ca});
  const auto now = std::chrono::system_clock::now();
  for (auto _ : state) {
    auto ok = trust->verify(*ee, {}, now);
    if (!ok) state.SkipWithError(ok.error().message.c_str());
  }
}

void BM_ChainRaw(benchmark::State& state) {
  for (auto _ : state) {
    if (X509_verify(pki_fixture().ee, X509_get0_pubkey(pki_fixture().ca)) != 1)
      state.SkipWithError("X509_verify");
  }
}

const char* const kPairs[] = {"prf", "prf_plus", "gcm_seal", "ecdsa_sign", "ecdsa_verify",
                              "cert_parse", "cert_parse_distinct", "chain_verify"};

// Keeps each run's ops per CPU second for the comparison table printed at the end.
class TableReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
      const double secs = r.GetAdjustedCPUTime() / benchmark::GetTimeUnitMultiplier(r.time_unit);
      if (secs > 0) rate_[r.benchmark_name()] = 1.0 / secs;
    }
  }
  void print_table() const {
    std::printf("\nhandshake crypto: answerd vs. raw OpenSSL primitive (ops/s of CPU time)\n");
    std::printf("%-20s %12s %12s %9s\n", "operation", "answerd", "primitive", "answerd%");
    for (const char* p : kPairs) {
      const auto a = rate_.find(std::string(p) + "/answerd");
      const auto r = rate_.find(std::string(p) + "/raw");
      if (a == rate_.end() || r == rate_.end()) continue;
      std::printf("%-20s %12.0f %12.0f %8.1f%%\n", p, a->second, r->second, 100.0 * a->second / r->second);
    }
  }

 private:
  std::map<std::string, double> rate_;
};

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  const std::pair<void (*)(benchmark::State&), void (*)(benchmark::State&)> fns[] = {
      {BM_PrfAnswerd, BM_PrfRaw},         {BM_PrfPlusAnswerd, BM_PrfPlusRaw},
      {BM_GcmAnswerd, BM_GcmRaw},         {BM_SignAnswerd, BM_SignRaw},
      {BM_VerifyAnswerd, BM_VerifyRaw},   {BM_CertParseAnswerd, BM_CertParseRaw},
      {BM_CertParseDistinctAnswerd, BM_CertParseDistinctRaw},
      {BM_ChainAnswerd, BM_ChainRaw}};
  for (std::size_t i = 0; i < std::size(kPairs); ++i) {
    benchmark::RegisterBenchmark((std::string(kPairs[i]) + "/answerd").c_str(), fns[i].first)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((std::string(kPairs[i]) + "/raw").c_str(), fns[i].second)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  TableReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_table();
  benchmark::Shutdown();
  return 0;
}
