// RFC 7383 reassembly and splitting (fragments.h).
#include <gtest/gtest.h>

#include "ike/wire/fragments.h"

namespace answerd::ike {
namespace {

using R = FragmentAssembler::Result;

Bytes seq(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i);
  return b;
}

TEST(WireFragments, SplitThenReassembleOutOfOrderWithDuplicates) {
  const Bytes chain = seq(1000);
  const auto pieces = split_for_fragments(chain, 300);
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_EQ(pieces[3].size(), 100u);
  const auto total = static_cast<std::uint16_t>(pieces.size());
  FragmentAssembler a;
  EXPECT_EQ(a.add(3, total, PayloadType::kNone, pieces[2]), R::kIncomplete);
  EXPECT_EQ(a.add(1, total, PayloadType::kIdr, pieces[0]), R::kIncomplete);
  EXPECT_EQ(a.add(1, total, PayloadType::kIdr, pieces[0]), R::kDuplicate);
  EXPECT_FALSE(a.take());
  EXPECT_EQ(a.add(4, total, PayloadType::kNone, pieces[3]), R::kIncomplete);
  EXPECT_EQ(a.add(2, total, PayloadType::kNone, pieces[1]), R::kComplete);
  auto whole = a.take();
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->first_inner, PayloadType::kIdr);
  EXPECT_EQ(whole->plaintext, chain);
  EXPECT_EQ(a.received(), 0u);
}

TEST(WireFragments, TotalChangesAndLimits) {
  FragmentAssembler a;
  const Bytes p = seq(10);
  EXPECT_EQ(a.add(1, 3, PayloadType::kIdi, p), R::kIncomplete);
  // RFC 7383 2.6: a larger total restarts; a smaller one is stale.
  EXPECT_EQ(a.add(2, 5, PayloadType::kNone, p), R::kIncomplete);
  EXPECT_EQ(a.received(), 1u);
  EXPECT_EQ(a.total(), 5);
  EXPECT_EQ(a.add(3, 3, PayloadType::kNone, p), R::kDiscarded);
  EXPECT_EQ(a.add(0, 5, PayloadType::kNone, p), R::kDiscarded);
  EXPECT_EQ(a.add(6, 5, PayloadType::kNone, p), R::kDiscarded);
  EXPECT_EQ(a.add(1, FragmentAssembler::kMaxFragments + 1, PayloadType::kIdi, p), R::kTooLarge);
  EXPECT_EQ(a.received(), 0u);
  const Bytes big(FragmentAssembler::kMaxBytes / 2 + 1, 0);
  EXPECT_EQ(a.add(1, 3, PayloadType::kIdi, big), R::kIncomplete);
  EXPECT_EQ(a.add(2, 3, PayloadType::kNone, big), R::kTooLarge);
  EXPECT_EQ(a.received(), 0u);
}

TEST(WireFragments, SplitEdges) {
  EXPECT_TRUE(split_for_fragments(seq(10), 0).empty());
  EXPECT_EQ(split_for_fragments(seq(10), 10).size(), 1u);
  EXPECT_EQ(split_for_fragments(seq(11), 10).size(), 2u);
  EXPECT_EQ(split_for_fragments({}, 10).size(), 1u);
  EXPECT_TRUE(split_for_fragments(Bytes(70000, 0), 1).empty());
}

}  // namespace
}  // namespace answerd::ike
