// Reading pcap/pcapng files through libpcap (see capture.h).
#include <pcap/pcap.h>

#include <memory>

#include "capture/capture.h"

namespace answerd::capture {
namespace {

struct PcapClose {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

void count(CaptureStats& s, FrameVerdict v) {
  switch (v) {
    case FrameVerdict::kIke: ++s.ike; break;
    case FrameVerdict::kNatKeepalive: ++s.keepalives; break;
    case FrameVerdict::kEspInUdp: ++s.esp_in_udp; break;
    case FrameVerdict::kTruncated: ++s.truncated; break;
    default: ++s.other; break;
  }
}

}  // namespace

answerd::expected<std::vector<IkeDatagram>, std::string> read_ike_datagrams(const std::string& path,
                                                                          CaptureStats* stats,
                                                                          const DecodeOptions& opts) {
  char err[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, PcapClose> pc(pcap_open_offline(path.c_str(), err));
  if (!pc) return answerd::unexpected(path + ": " + err);
  const int linktype = pcap_datalink(pc.get());
  std::vector<IkeDatagram> out;
  CaptureStats local;
  CaptureStats& s = stats ? *stats : local;
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(pc.get(), &hdr, &data)) == 1) {
    ++s.frames;
    IkeDatagram d;
    // A frame cut short by the snap length is truncated if what we need is beyond it.
    const auto v = decode_frame(linktype, std::span<const std::uint8_t>(data, hdr->caplen), d, opts);
    count(s, v);
    if (v != FrameVerdict::kIke) continue;
    d.frame = s.frames;
    d.time_us = static_cast<std::int64_t>(hdr->ts.tv_sec) * 1000000 + hdr->ts.tv_usec;
    out.push_back(std::move(d));
  }
  if (rc == PCAP_ERROR) return answerd::unexpected(path + ": " + pcap_geterr(pc.get()));
  return out;
}

}  // namespace answerd::capture
