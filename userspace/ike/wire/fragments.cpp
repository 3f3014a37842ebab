// RFC 7383 reassembly and splitting (see fragments.h).
#include "ike/wire/fragments.h"

namespace answerd::ike {

void FragmentAssembler::reset() {
  total_ = 0;
  bytes_ = 0;
  first_inner_ = PayloadType::kNone;
  parts_.clear();
}

FragmentAssembler::Result FragmentAssembler::add(std::uint16_t number, std::uint16_t total, PayloadType first_inner,
                                                 std::span<const std::uint8_t> plaintext) {
  if (number == 0 || number > total) return Result::kDiscarded;
  if (total > kMaxFragments) {
    reset();
    return Result::kTooLarge;
  }
  if (total < total_) return Result::kDiscarded;  // RFC 7383 2.6: stale fragment
  if (total > total_) {                             // a retransmission with a smaller fragment size
    reset();
    total_ = total;
  }
  if (parts_.contains(number)) return Result::kDuplicate;
  if (bytes_ + plaintext.size() > kMaxBytes) {
    reset();
    return Result::kTooLarge;
  }
  if (number == 1) first_inner_ = first_inner;
  bytes_ += plaintext.size();
  parts_.emplace(number, Bytes(plaintext.begin(), plaintext.end()));
  return parts_.size() == total_ ? Result::kComplete : Result::kIncomplete;
}

std::optional<FragmentAssembler::Whole> FragmentAssembler::take() {
  if (total_ == 0 || parts_.size() != total_) return std::nullopt;
  Whole w{first_inner_, {}};
  w.plaintext.reserve(bytes_);
  for (const auto& [n, part] : parts_) w.plaintext.insert(w.plaintext.end(), part.begin(), part.end());
  reset();
  return w;
}

std::vector<std::span<const std::uint8_t>> split_for_fragments(std::span<const std::uint8_t> chain,
                                                              std::size_t max_len) {
  std::vector<std::span<const std::uint8_t>> out;
  if (max_len == 0) return out;
  const std::size_t n = chain.empty() ? 1 : (chain.size() + max_len - 1) / max_len;
  if (n > 0xffff) return out;
  for (std::size_t at = 0; at < chain.size() || out.empty(); at += max_len)
    out.push_back(chain.subspan(at, std::min(max_len, chain.size() - at)));
  return out;
}

}  // namespace answerd::ike
