// libFuzzer harness over the IKE message decoder and the payload-chain decoder
// (the input after its first octet, with that octet as the first payload type, as
// the SA layer feeds decrypted SK content). Whatever decodes must serialize and
// decode again to the same Message; the rules check and SK locator must not fault.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "ike/wire/message.h"
#include "ike/wire/rules.h"
#include "ike/wire/sk.h"

using namespace answerd::ike;

namespace {

void check_round_trip(const Message& m) {
  auto bytes = serialize_message(m);
  if (!bytes) return;  // e.g. a body the model holds but whose re-encoding would exceed a field
  auto again = parse_message(*bytes);
  if (!again || again->payloads != m.payloads || again->header.flags != m.header.flags ||
      again->header.spi_i != m.header.spi_i || again->header.message_id != m.header.message_id)
    std::abort();
}

void check_chain_round_trip(PayloadType first, const std::vector<Payload>& chain) {
  auto bytes = serialize_payload_chain(chain);
  if (!bytes) return;
  auto again = parse_payload_chain(chain_first_type(chain), *bytes);
  if (!chain.empty() && chain_first_type(chain) != first) std::abort();
  if (!again || *again != chain) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  if (auto m = parse_message(in)) {
    check_round_trip(*m);
    (void)check_payload_rules(m->header.exchange, m->header.response(), m->payloads, false);
    (void)check_payload_rules(m->header.exchange, m->header.response(), m->payloads, true);
    if (auto v = locate_encrypted(in)) {
      if (v->aad.size() + v->encrypted.size() != size) std::abort();
      if (auto plain = sk_unpad(v->encrypted)) (void)parse_payload_chain(v->first_inner, *plain);
    }
  }
  if (size > 0) {
    const auto first = static_cast<PayloadType>(data[0]);
    if (auto chain = parse_payload_chain(first, in.subspan(1), 1)) check_chain_round_trip(first, *chain);
  }
  return 0;
}
