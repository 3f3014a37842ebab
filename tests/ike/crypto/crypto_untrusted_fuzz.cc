// libFuzzer harness for the crypto entry points that see network bytes: a peer's
// KE data (shared_secret with validation) and an SK payload body (SkCipher::open).
// Byte 0 picks the group or suite, byte 1 the AAD length; the rest is the input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "ike/crypto/key_exchange.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/crypto/transforms.h"

namespace {

using namespace answerd;  // NOLINT(google-build-using-namespace): harness only

void fuzz_ke(std::uint8_t pick, std::span<const std::uint8_t> peer) {
  static const ike::DhGroup groups[] = {ike::DhGroup::kModp2048, ike::DhGroup::kEcp256,
                                        ike::DhGroup::kEcp384,   ike::DhGroup::kEcp521,
                                        ike::DhGroup::kCurve25519};
  const ike::DhGroup g = groups[pick % 5];
  crypto::DeterministicRandom rng(pick);
  auto ke = crypto::make_key_exchange(g, rng);
  if (!ke) __builtin_trap();
  auto s = (*ke)->shared_secret(peer);
  if (s && s->size() != crypto::ke_shared_size(g)) __builtin_trap();
}

void fuzz_sk(std::uint8_t pick, std::size_t aad_len, std::span<const std::uint8_t> in) {
  struct S {
    ike::EncrId e;
    std::uint16_t bits;
    ike::IntegId i;
  };
  static const S suites[] = {{ike::EncrId::kAesGcm16, 128, ike::IntegId::kNone},
                             {ike::EncrId::kChacha20Poly1305, 0, ike::IntegId::kNone},
                             {ike::EncrId::kAesCbc, 256, ike::IntegId::kHmacSha2_256_128}};
  const S& s = suites[pick % 3];
  const std::uint8_t ekey[36] = {1, 2, 3}, akey[32] = {4, 5, 6};
  crypto::DeterministicRandom rng(1);
  auto sk = crypto::make_sk_cipher(s.e, s.bits, s.i,
                                   std::span(ekey).first(*crypto::encr_keymat_size(s.e, s.bits)),
                                   std::span(akey).first(crypto::integ_key_size(s.i)), rng);
  if (!sk) __builtin_trap();
  aad_len = aad_len < in.size() ? aad_len : in.size();
  auto out = (*sk)->open(in.first(aad_len), in.subspan(aad_len));
  if (out && out->size() > in.size()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::span<const std::uint8_t> in(data + 2, size - 2);
  if (data[0] & 0x80)
    fuzz_sk(data[0], data[1], in);
  else
    fuzz_ke(data[0], in);
  return 0;
}
