// What the engine's Child SA paths ask of the dataplane when the kernel acted first:
// a hard expire removes one SA of the pair in the kernel before answerd hears of it,
// and the rest of the Child SA must go without counting a dataplane error.
#include "helpers.h"

namespace answerd::sa::test {
namespace {

TEST(ChildDataplane, HardExpireOfAnSaTheKernelRemovedIsNoDataplaneError) {
  Harness h;
  Initiator ini(Suite{}, 61, spoke_ep(), hub_ep());
  auto rec = establish(h, ini);
  const auto ours = esp_spi(*sa_of(rec));
  ASSERT_EQ(h.dp.sas.size(), 2u);
  ASSERT_EQ(h.dp.policies.size(), 3u);
  h.dp.sas.erase(ours.value());  // the kernel deleted the inbound SA on its hard lifetime
  Output out = h.r.child_expired(ours, true, h.now);
  EXPECT_EQ(h.collect(out, ini).size(), 1u);  // INFORMATIONAL D(ESP) to the peer
  EXPECT_TRUE(h.dp.sas.empty());              // the outbound SA went too
  EXPECT_TRUE(h.dp.policies.empty());
  EXPECT_EQ(h.r.stats().child_hard_expired, 1u);
  EXPECT_EQ(h.r.stats().dataplane_errors, 0u);
  // The outbound SA's own hard expire arrives next: nothing left to do.
  EXPECT_TRUE(h.r.child_expired(kPeerSpi, true, h.now).send.empty());
  EXPECT_EQ(h.r.stats().child_hard_expired, 1u);
}

}  // namespace
}  // namespace answerd::sa::test
