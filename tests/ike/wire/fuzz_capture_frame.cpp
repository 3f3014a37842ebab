// libFuzzer harness over the capture frame decoder: the first octet picks the link
// type (Ethernet, SLL, SLL2, raw, BSD loopback), the rest is the frame.
#include <pcap/dlt.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "capture/capture.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr int kLinkTypes[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL};
  const int lt = kLinkTypes[data[0] % 5];
  answerd::capture::IkeDatagram d;
  const auto v = answerd::capture::decode_frame(lt, std::span<const std::uint8_t>(data + 1, size - 1), d);
  if (v == answerd::capture::FrameVerdict::kIke && d.ike.size() > size) std::abort();
  return 0;
}
