// The parsed-certificate cache behind Certificate::from_der (pki/x509.cc): identical
// DER shares one parsed certificate, any other bytes do not, the bound holds against
// a flood of distinct certificates, failures are never cached, workers parse and
// verify concurrently (run under the ASan/UBSan build), and trust is still decided
// per verification (a cached certificate is not trusted by a store without its CA).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "ike/crypto/pki/trust.h"
#include "ike/crypto/pki/x509.h"
#include "x509_maker.h"

namespace {

namespace pki = answerd::crypto::pki;
using Octets = std::vector<std::uint8_t>;
using answerd::crypto::test::der_of_owned;
using answerd::crypto::test::make_x509;


// Two P-256 CAs and an end entity issued by the first, made once per process.
struct Fixture {
  EVP_PKEY* ca_key = EVP_EC_gen("P-256");
  EVP_PKEY* other_key = EVP_EC_gen("P-256");
  EVP_PKEY* ee_key = EVP_EC_gen("P-256");
  X509* ca_x = make_x509(ca_key, "cache CA", nullptr, ca_key, true);
  Octets ee = der_of_owned(make_x509(ee_key, "spoke.example", ca_x, ca_key, false));
  Octets ca = der_of_owned(X509_dup(ca_x));
  Octets other_ca = der_of_owned(make_x509(other_key, "other CA", nullptr, other_key, true));
};
const Fixture& fx() {
  static const Fixture f;
  return f;
}

// `ee` with its last two octets (inside the signature BIT STRING, which parsing does
// not check) replaced by n: distinct DER that still parses.
Octets variant(std::size_t n) {
  Octets d = fx().ee;
  d[d.size() - 1] = static_cast<std::uint8_t>(n);
  d[d.size() - 2] = static_cast<std::uint8_t>(n >> 8);
  return d;
}

TEST(CertCache, IdenticalDerReturnsTheSharedCertificate) {
  pki::clear_parsed_cache();
  const Octets copy = fx().ee;  // another buffer, the same bytes
  auto a = pki::Certificate::from_der(fx().ee);
  auto b = pki::Certificate::from_der(copy);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(&a->impl(), &b->impl());
  EXPECT_EQ(pki::parsed_cache_size(), 1u);
  EXPECT_EQ(b->subject_text(), "CN=spoke.example");
}

TEST(CertCache, OneDifferentByteIsAnotherCertificate) {
  pki::clear_parsed_cache();
  Octets changed = fx().ee;
  changed.back() ^= 0x01;
  auto a = pki::Certificate::from_der(fx().ee);
  auto b = pki::Certificate::from_der(changed);
  ASSERT_TRUE(a && b);
  EXPECT_NE(&a->impl(), &b->impl());
  const auto a_der = a->der(), b_der = b->der();
  EXPECT_EQ(Octets(a_der.begin(), a_der.end()), fx().ee);
  EXPECT_EQ(Octets(b_der.begin(), b_der.end()), changed);
  EXPECT_EQ(pki::parsed_cache_size(), 2u);
}

TEST(CertCache, BoundHoldsAndLeastRecentlyUsedGoesFirst) {
  pki::clear_parsed_cache();
  constexpr std::size_t kExtra = 40;
  auto first = pki::Certificate::from_der(variant(0));
  auto second = pki::Certificate::from_der(variant(1));
  ASSERT_TRUE(first && second);
  for (std::size_t i = 2; i < pki::kParsedCacheCapacity + kExtra; ++i) {
    if (i % 16 == 0) {
      ASSERT_TRUE(pki::Certificate::from_der(variant(0)));  // keep variant 0 recent
    }
    ASSERT_TRUE(pki::Certificate::from_der(variant(i))) << i;
    ASSERT_LE(pki::parsed_cache_size(), pki::kParsedCacheCapacity);
  }
  EXPECT_EQ(pki::parsed_cache_size(), pki::kParsedCacheCapacity);
  auto first_again = pki::Certificate::from_der(variant(0));
  auto second_again = pki::Certificate::from_der(variant(1));  // evicted: parsed anew
  ASSERT_TRUE(first_again && second_again);
  EXPECT_EQ(&first->impl(), &first_again->impl());
  EXPECT_NE(&second->impl(), &second_again->impl());
  EXPECT_EQ(second->subject_text(), "CN=spoke.example");  // the evicted handle still works
  EXPECT_EQ(pki::parsed_cache_size(), pki::kParsedCacheCapacity);
}

TEST(CertCache, FailuresAreNotCached) {
  pki::clear_parsed_cache();
  Octets trailing = fx().ee;
  trailing.push_back(0);
  const Octets truncated(fx().ee.begin(), fx().ee.end() - 1);
  const Octets garbage(300, 0x30);
  for (const Octets* bad : std::vector<const Octets*>{&trailing, &truncated, &garbage}) {
    EXPECT_FALSE(pki::Certificate::from_der(*bad));
    EXPECT_FALSE(pki::Certificate::from_der(*bad));  // the second time too
  }
  EXPECT_EQ(pki::parsed_cache_size(), 0u);
  ASSERT_TRUE(pki::Certificate::from_der(fx().ee));  // the valid prefix still parses
  EXPECT_EQ(pki::parsed_cache_size(), 1u);
}

TEST(CertCache, TrustIsDecidedPerVerificationNotCached) {
  pki::clear_parsed_cache();
  auto ee = pki::Certificate::from_der(fx().ee);
  auto ca = pki::Certificate::from_der(fx().ca);
  auto other = pki::Certificate::from_der(fx().other_ca);
  ASSERT_TRUE(ee && ca && other);
  auto good = pki::TrustStore::create({*ca});
  auto wrong = pki::TrustStore::create({*other});
  ASSERT_TRUE(good && wrong);
  const auto now = std::chrono::system_clock::now();
  EXPECT_TRUE(good->verify(*ee, {}, now));
  auto again = pki::Certificate::from_der(fx().ee);
  ASSERT_TRUE(again);
  EXPECT_EQ(&again->impl(), &ee->impl());
  EXPECT_FALSE(wrong->verify(*again, {}, now));                       // other CA: untrusted
  EXPECT_FALSE(good->verify(*again, {}, now + std::chrono::hours(48)));  // expired by then
  EXPECT_TRUE(good->verify(*again, {}, now));
}

// Workers parse shared and distinct certificates and verify the shared ones at once
// (OpenSSL caches extension data in the shared X509 under its own lock).
TEST(CertCache, ConcurrentParsingAndVerification) {
  pki::clear_parsed_cache();
  auto ca = pki::Certificate::from_der(fx().ca);
  ASSERT_TRUE(ca);
  auto store = pki::TrustStore::create({*ca});
  ASSERT_TRUE(store);
  constexpr int kThreads = 4, kRounds = 150;
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      const auto now = std::chrono::system_clock::now();
      for (int r = 0; r < kRounds; ++r) {
        auto shared = pki::Certificate::from_der(fx().ee);
        auto mine = pki::Certificate::from_der(variant(1000 + static_cast<std::size_t>(t * kRounds + r)));
        auto common = pki::Certificate::from_der(variant(static_cast<std::size_t>(r % 32)));
        if (!shared || !mine || !common || !store->verify(*shared, {}, now) ||
            shared->alt_names().size() != 0 || shared->public_key().type() != pki::KeyType::kEcdsaP256 ||
            common->der().size() != fx().ee.size())
          failures.fetch_add(1);
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(pki::parsed_cache_size(), pki::kParsedCacheCapacity);
  auto a = pki::Certificate::from_der(fx().ee);
  auto b = pki::Certificate::from_der(fx().ee);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(&a->impl(), &b->impl());
}

}  // namespace
