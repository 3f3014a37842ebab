// Responder crypto cost of one IKE_SA_INIT per DH group, next to the raw primitive
// measured in the same run:
//   answerd/<group>: make_key_exchange (our key pair from SystemRandom) +
//     shared_secret(initiator's KE) + SKEYSEED + SK_* (aes256gcm16-prfsha256)
//   raw/<group>: libsodium crypto_scalarmult_base + crypto_scalarmult (group 31),
//     OpenSSL EVP keygen + EVP_PKEY_derive (ECP and MODP groups) without OpenSSL's
//     peer key check (EVP_PKEY_derive_set_peer_ex(..., 0)): that check costs a
//     full extra exponentiation / scalar multiplication (y^q, n*Q), which RFC 6989
//     does not need for these groups, so the primitive's limit is measured without.
// At exit a table prints both rates and answerd's share of the primitive's limit.
// Timings only; the ctest entry runs this with a tiny --benchmark_min_time.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

#include <cstdio>
#include <map>
#include <string>

#include "ike/crypto/key_exchange.h"
#include "ike/crypto/keymat.h"

namespace {

using answerd::crypto::DeterministicRandom;
using answerd::crypto::IkeSuite;
using answerd::crypto::SystemRandom;
using answerd::ike::DhGroup;

struct GroupInfo {
  DhGroup group;
  const char* name;      // answerd / strongSwan keyword
  const char* ossl_type; // EVP key type, nullptr for X25519 (libsodium)
  const char* ossl_group;
  int priv_bits = 0;     // MODP: the private exponent length answerd uses
};

const GroupInfo kGroups[] = {
    {DhGroup::kCurve25519, "x25519", nullptr, nullptr},
    {DhGroup::kEcp256, "ecp256", "EC", "P-256"},
    {DhGroup::kEcp384, "ecp384", "EC", "P-384"},
    {DhGroup::kEcp521, "ecp521", "EC", "P-521"},
    {DhGroup::kModp2048, "modp2048", "DH", "modp_2048", 256},
    {DhGroup::kModp3072, "modp3072", "DH", "modp_3072", 384},
    {DhGroup::kModp4096, "modp4096", "DH", "modp_4096", 512},
};

void BM_AnswerdIkeSaInit(benchmark::State& state, GroupInfo g) {
  DeterministicRandom peer_rng(1);
  auto peer = answerd::crypto::make_key_exchange(g.group, peer_rng);
  if (!peer) {
    state.SkipWithError("make_key_exchange failed");
    return;
  }
  std::vector<std::uint8_t> ni(32, 0x11), nr(32, 0x22);
  const IkeSuite suite{};
  const answerd::ike::IkeSpi spi_i(0x0102030405060708), spi_r(0x1112131415161718);
  SystemRandom rng;
  for (auto _ : state) {
    auto ke = answerd::crypto::make_key_exchange(g.group, rng);
    auto gir = (*ke)->shared_secret((*peer)->public_value());
    auto seed = answerd::crypto::skeyseed(suite.prf, ni, nr, gir->view());
    auto keys = answerd::crypto::derive_ike_keys(suite, seed->view(), ni, nr, spi_i, spi_r);
    if (!keys) {
      state.SkipWithError("derivation failed");
      return;
    }
    benchmark::DoNotOptimize(keys->sk_d.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawX25519(benchmark::State& state) {
  unsigned char peer_sk[32], peer_pk[32], sk[32], pk[32], shared[32];
  randombytes_buf(peer_sk, sizeof peer_sk);
  crypto_scalarmult_base(peer_pk, peer_sk);
  randombytes_buf(sk, sizeof sk);
  for (auto _ : state) {
    crypto_scalarmult_base(pk, sk);
    if (crypto_scalarmult(shared, sk, peer_pk) != 0) state.SkipWithError("scalarmult");
    benchmark::DoNotOptimize(shared);
    sk[0] ^= pk[0];  // a different scalar each round, as a real key pair would be
  }
  state.SetItemsProcessed(state.iterations());
}

EVP_PKEY* evp_keygen(const GroupInfo& g) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, g.ossl_type, nullptr);
  EVP_PKEY* key = nullptr;
  // Same exponent length as answerd for MODP (OpenSSL's default for the RFC 3526
  // groups is a full-length exponent, which would flatter answerd 4x).
  int priv_bits = g.priv_bits;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_PRIV_LEN, &priv_bits), OSSL_PARAM_END};
  if (ctx && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_CTX_set_group_name(ctx, g.ossl_group) == 1 &&
      (priv_bits == 0 || EVP_PKEY_CTX_set_params(ctx, params) == 1))
    EVP_PKEY_generate(ctx, &key);
  EVP_PKEY_CTX_free(ctx);
  return key;
}

void BM_RawEvp(benchmark::State& state, GroupInfo g) {
  EVP_PKEY* peer = evp_keygen(g);
  if (peer == nullptr) {
    state.SkipWithError("EVP keygen failed");
    return;
  }
  unsigned char secret[1024];
  for (auto _ : state) {
    EVP_PKEY* key = evp_keygen(g);
    EVP_PKEY_CTX* dctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
    std::size_t len = sizeof secret;
    if (key == nullptr || dctx == nullptr || EVP_PKEY_derive_init(dctx) != 1 ||
        EVP_PKEY_derive_set_peer_ex(dctx, peer, 0) != 1 || EVP_PKEY_derive(dctx, secret, &len) != 1)
      state.SkipWithError("EVP derive failed");
    benchmark::DoNotOptimize(secret);
    EVP_PKEY_CTX_free(dctx);
    EVP_PKEY_free(key);
  }
  EVP_PKEY_free(peer);
  state.SetItemsProcessed(state.iterations());
}

// Keeps each run's ops/s so that the comparison table can print at the end.
class TableReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
      // CPU time: the machine may be shared, and CPU time is the crypto's own cost.
      const double secs = r.GetAdjustedCPUTime() / benchmark::GetTimeUnitMultiplier(r.time_unit);
      if (secs > 0) rate_[r.benchmark_name()] = 1.0 / secs;
    }
  }
  void print_table() const {
    std::printf("\nIKE_SA_INIT responder crypto vs. raw primitive (ops/s of CPU time)\n");
    std::printf("%-10s %14s %14s %9s\n", "group", "answerd", "primitive", "answerd%");
    for (const GroupInfo& g : kGroups) {
      const auto a = rate_.find(std::string("answerd/") + g.name);
      const auto p = rate_.find(std::string("raw/") + g.name);
      if (a == rate_.end() || p == rate_.end()) continue;
      std::printf("%-10s %14.1f %14.1f %8.1f%%\n", g.name, a->second, p->second,
                  100.0 * a->second / p->second);
    }
  }

 private:
  std::map<std::string, double> rate_;
};

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  for (const GroupInfo& g : kGroups) {
    benchmark::RegisterBenchmark((std::string("answerd/") + g.name).c_str(), BM_AnswerdIkeSaInit, g)
        ->Unit(benchmark::kMicrosecond);
    if (g.ossl_type == nullptr)
      benchmark::RegisterBenchmark((std::string("raw/") + g.name).c_str(), BM_RawX25519)
          ->Unit(benchmark::kMicrosecond);
    else
      benchmark::RegisterBenchmark((std::string("raw/") + g.name).c_str(), BM_RawEvp, g)
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
