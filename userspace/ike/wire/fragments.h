// IKE message fragmentation (RFC 7383) on the decrypted side: reassembling the
// plaintexts of received SKF fragments and splitting an outgoing inner payload
// chain into fragment-sized pieces. Encryption of each fragment stays with the SA
// layer (sk.h build_skf_message / locate_encrypted).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "ike/wire/bytes.h"
#include "ike/wire/iana.h"

namespace answerd::ike {

// Collects the decrypted fragments of one message (one message ID of one IKE SA).
// RFC 7383 2.6: fragments may arrive in any order and repeated; a fragment with a
// larger Total Fragments than seen so far restarts reassembly, one with a smaller
// one is discarded. Bounded by kMaxFragments and kMaxBytes against memory abuse.
class FragmentAssembler {
 public:
  static constexpr std::uint16_t kMaxFragments = 128;
  static constexpr std::size_t kMaxBytes = 256 * 1024;

  enum class Result {
    kIncomplete,  // stored, more to come
    kComplete,    // every fragment is here: call take()
    kDuplicate,   // fragment number already stored: ignored
    kDiscarded,   // stale (smaller total) or invalid number: ignored
    kTooLarge,    // over the limits: everything collected so far is dropped
  };

  // `first_inner` is taken from fragment number 1 (RFC 7383 2.5).
  Result add(std::uint16_t number, std::uint16_t total, PayloadType first_inner,
             std::span<const std::uint8_t> plaintext);

  // The reassembled inner payload chain and its first payload type; resets.
  struct Whole {
    PayloadType first_inner = PayloadType::kNone;
    Bytes plaintext;
  };
  [[nodiscard]] std::optional<Whole> take();

  [[nodiscard]] std::uint16_t total() const { return total_; }
  [[nodiscard]] std::size_t received() const { return parts_.size(); }
  void reset();

 private:
  std::uint16_t total_ = 0;
  std::size_t bytes_ = 0;
  PayloadType first_inner_ = PayloadType::kNone;
  std::map<std::uint16_t, Bytes> parts_;
};

// Splits an inner payload chain into at most 65535 pieces of `max_len` octets
// (the last may be shorter), for fragments 1..N. Empty when max_len is 0 or the
// chain needs more pieces than RFC 7383 allows.
[[nodiscard]] std::vector<std::span<const std::uint8_t>> split_for_fragments(std::span<const std::uint8_t> chain,
                                                                            std::size_t max_len);

}  // namespace answerd::ike
