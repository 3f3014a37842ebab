// Writes the fuzzer seed corpus: the sample messages of sample_messages.h (whole
// messages, and payload chains prefixed by their first payload type) and every IKE
// datagram of the given capture files. Run by tests/data/wire/make-seeds.
//   make_seeds OUTDIR [CAPTURE...]
#include <cstdio>
#include <fstream>
#include <string>

#include "capture/capture.h"
#include "ike/wire/message.h"
#include "sample_messages.h"

namespace {

void write(const std::string& path, const std::vector<std::uint8_t>& b) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()),
                                              static_cast<std::streamsize>(b.size()));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace answerd::ike;
  if (argc < 2) {
    std::fprintf(stderr, "usage: make_seeds OUTDIR [CAPTURE...]\n");
    return 2;
  }
  const std::string out = argv[1];
  const Message messages[] = {testing::ike_sa_init_request(), testing::ike_sa_init_response(),
                              testing::informational_delete_outer()};
  int n = 0;
  for (const auto& m : messages) write(out + "/sample-" + std::to_string(n++), *serialize_message(m));
  Message all = testing::ike_sa_init_request();
  all.payloads = testing::every_payload();
  write(out + "/sample-every-payload", *serialize_message(all));
  auto chain = *serialize_payload_chain(testing::ike_auth_request_inner());
  chain.insert(chain.begin(), static_cast<std::uint8_t>(PayloadType::kIdi));
  write(out + "/chain-ike-auth", chain);
  for (int i = 2; i < argc; ++i) {
    auto d = answerd::capture::read_ike_datagrams(argv[i]);
    if (!d) {
      std::fprintf(stderr, "make_seeds: %s\n", d.error().c_str());
      return 1;
    }
    std::string base = argv[i];
    base = base.substr(base.find_last_of('/') + 1);
    for (const auto& x : *d) write(out + "/" + base + "-" + std::to_string(x.frame), x.ike);
  }
  return 0;
}
