// The probe's rtnetlink messages byte for byte, and its error sentences.
#include <errno.h>
#include <gtest/gtest.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "kernel/xfrm/xfrm_probe.h"
#include "tests/kernel/xfrm/expected_nl.h"
#include "tests/kernel/xfrm/xfrm_test_values.h"

namespace answerd::kernel::xfrm {
namespace {

using testing::ExpectedNl;
using testing::bytes_of;

ifinfomsg unspec_ifinfo() {
  ifinfomsg i;
  std::memset(&i, 0, sizeof(i));
  i.ifi_family = AF_UNSPEC;
  return i;
}

// RTM_NEWLINK { ifinfomsg, IFLA_IFNAME, IFLA_LINKINFO { IFLA_INFO_KIND "xfrm",
// IFLA_INFO_DATA { IFLA_XFRM_IF_ID } } }, as `ip link add NAME type xfrm if_id N`.
TEST(XfrmProbe, NewLinkXfrmInterface) {
  ExpectedNl e(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 3);
  e.body(unspec_ifinfo()).attr(IFLA_IFNAME, "answerd-p1", 11);
  const auto info = e.begin_nest(IFLA_LINKINFO);
  e.attr(IFLA_INFO_KIND, "xfrm", 5);
  const auto data = e.begin_nest(IFLA_INFO_DATA);
  const std::uint32_t if_id = 0xA5DFFFFF;
  e.attr(IFLA_XFRM_IF_ID, if_id);
  e.end_nest(data);
  e.end_nest(info);
  EXPECT_EQ(bytes_of(build_newlink_xfrm("answerd-p1", 0xA5DFFFFF, 3)), e.bytes());
}

TEST(XfrmProbe, DelLinkByName) {
  EXPECT_EQ(bytes_of(build_dellink("answerd-p1", 4)),
            ExpectedNl(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 4)
                .body(unspec_ifinfo()).attr(IFLA_IFNAME, "answerd-p1", 11).bytes());
}

TEST(XfrmProbe, ErrorSentences) {
  EXPECT_EQ(explain_probe_error({.code = EPROTONOSUPPORT, .message = "Requested type not found"}),
            "kernel has no ESP support (CONFIG_INET_ESP): use dataplane = none or a kernel with ESP");
  EXPECT_NE(explain_probe_error({.code = EPERM, .message = "x"}).find("CAP_NET_ADMIN"), std::string::npos);
  EXPECT_NE(explain_probe_error({.code = ENOSYS, .message = "Requested AEAD algorithm not found"})
                .find("Requested AEAD algorithm not found"),
            std::string::npos);
  EXPECT_TRUE(is_owned_reqid(kProbeReqid));
}

}  // namespace
}  // namespace answerd::kernel::xfrm
