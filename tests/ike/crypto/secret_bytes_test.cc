// SecretBytes ownership and comparison; Random sources' determinism.
#include "ike/crypto/secret_bytes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "hex.h"
#include "ike/crypto/random.h"

namespace answerd::crypto {
namespace {

using test::hex;

static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);

TEST(SecretBytes, MoveLeavesTheSourceEmpty) {
  SecretBytes a = SecretBytes::copy_of(std::string_view("secret"));
  const std::uint8_t* p = a.data();
  SecretBytes b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the contract under test
  EXPECT_EQ(b.size(), 6u);
  EXPECT_EQ(b.data(), p);
  SecretBytes c;
  c = std::move(b);
  EXPECT_EQ(hex(c.view()), "736563726574");
  SecretBytes d = c.clone();
  EXPECT_NE(d.data(), c.data());
  EXPECT_TRUE(d.equals(c.view()));
}

TEST(SecretBytes, ConstantTimeEquals) {
  SecretBytes a = SecretBytes::copy_of(std::string_view("abcd"));
  const std::uint8_t same[] = {'a', 'b', 'c', 'd'};
  const std::uint8_t diff[] = {'a', 'b', 'c', 'e'};
  EXPECT_TRUE(a.equals(same));
  EXPECT_FALSE(a.equals(diff));
  EXPECT_FALSE(a.equals(std::span(same).first(3)));
  EXPECT_TRUE(SecretBytes().equals({}));
}

TEST(SecretBytes, TruncateKeepsThePrefix) {
  SecretBytes a(10);
  for (std::size_t i = 0; i < 10; ++i) a.writable()[i] = static_cast<std::uint8_t>(i + 1);
  a.truncate(4);
  EXPECT_EQ(hex(a.view()), "01020304");
}

TEST(Random, DeterministicIsReproducibleAndCallsDiffer) {
  DeterministicRandom a(42), b(42), c(43);
  std::vector<std::uint8_t> x(32), y(32), z(32), w(32);
  a.fill(x);
  b.fill(y);
  c.fill(z);
  a.fill(w);
  EXPECT_EQ(hex(x), hex(y));
  EXPECT_NE(hex(x), hex(z));
  EXPECT_NE(hex(x), hex(w));
}

TEST(Random, ScriptedReplaysThenContinues) {
  ScriptedRandom r({1, 2, 3});
  std::vector<std::uint8_t> a(2), b(4);
  r.fill(a);
  EXPECT_EQ(hex(a), "0102");
  r.fill(b);
  EXPECT_EQ(b[0], 3);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(Random, SystemFillsDistinctValues) {
  SystemRandom r;
  std::vector<std::uint8_t> a(32), b(32);
  r.fill(a);
  r.fill(b);
  EXPECT_NE(hex(a), hex(b));
}

// Draws larger than one RAND_priv_bytes call are filled to the end.
TEST(Random, SystemFillsLargeDrawsCompletely) {
  SystemRandom r;
  std::vector<std::uint8_t> big((3U << 20) + 7, 0);
  r.fill(big);
  const auto tail = std::span(big).last(64);
  EXPECT_TRUE(std::any_of(tail.begin(), tail.end(), [](std::uint8_t x) { return x != 0; }));
  std::size_t zeros = 0;
  for (auto x : big) zeros += x == 0 ? 1 : 0;
  EXPECT_LT(zeros, big.size() / 128);  // ~1/256 expected
}

// Worker threads draw concurrently (compute jobs): each thread's values differ.
TEST(Random, SystemDistinctAcrossThreads) {
  SystemRandom r;
  std::vector<std::vector<std::uint8_t>> got(4, std::vector<std::uint8_t>(32));
  std::vector<std::thread> ts;
  for (auto& g : got) ts.emplace_back([&r, &g] { r.fill(g); });
  for (auto& t : ts) t.join();
  std::set<std::string> distinct;
  for (const auto& g : got) distinct.insert(hex(g));
  EXPECT_EQ(distinct.size(), got.size());
}

}  // namespace
}  // namespace answerd::crypto
