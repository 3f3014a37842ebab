// Bounds-checked big-endian cursor (ByteReader) and appender (ByteWriter) over
// octet buffers: the only place in the codec that touches raw offsets. Every read
// checks the remaining length first and fails without moving the cursor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace answerd::ike {

using Bytes = std::vector<std::uint8_t>;

class ByteReader {
 public:
  // `base` is the absolute offset of data[0] in the datagram, for error reports.
  explicit ByteReader(std::span<const std::uint8_t> data, std::size_t base = 0)
      : data_(data), base_(base) {}

  [[nodiscard]] std::size_t remaining() const { return data_.size() - pos_; }
  [[nodiscard]] bool empty() const { return remaining() == 0; }
  // Absolute offset of the next unread octet.
  [[nodiscard]] std::size_t offset() const { return base_ + pos_; }

  [[nodiscard]] bool u8(std::uint8_t& v) {
    if (remaining() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  [[nodiscard]] bool u16(std::uint16_t& v) {
    if (remaining() < 2) return false;
    v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  [[nodiscard]] bool u32(std::uint32_t& v) {
    if (remaining() < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | data_[pos_ + static_cast<std::size_t>(i)];
    pos_ += 4;
    return true;
  }
  [[nodiscard]] bool u64(std::uint64_t& v) {
    if (remaining() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | data_[pos_ + static_cast<std::size_t>(i)];
    pos_ += 8;
    return true;
  }
  // A view of the next n octets.
  [[nodiscard]] bool span(std::size_t n, std::span<const std::uint8_t>& out) {
    if (remaining() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool bytes(std::size_t n, Bytes& out) {
    std::span<const std::uint8_t> s;
    if (!span(n, s)) return false;
    out.assign(s.begin(), s.end());
    return true;
  }
  // Everything that is left.
  [[nodiscard]] Bytes rest() {
    Bytes out(data_.begin() + static_cast<std::ptrdiff_t>(pos_), data_.end());
    pos_ = data_.size();
    return out;
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t base_;
  std::size_t pos_ = 0;
};

class ByteWriter {
 public:
  explicit ByteWriter(Bytes& out) : out_(out) {}
  [[nodiscard]] std::size_t size() const { return out_.size(); }
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out_.push_back(static_cast<std::uint8_t>(v >> s));
  }
  void u64(std::uint64_t v) {
    for (int s = 56; s >= 0; s -= 8) out_.push_back(static_cast<std::uint8_t>(v >> s));
  }
  void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }
  // Overwrites a 16-bit field written earlier (length fields).
  void patch_u16(std::size_t at, std::uint16_t v) {
    out_[at] = static_cast<std::uint8_t>(v >> 8);
    out_[at + 1] = static_cast<std::uint8_t>(v);
  }
  void patch_u32(std::size_t at, std::uint32_t v) {
    for (std::size_t i = 0; i < 4; ++i) out_[at + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  }

 private:
  Bytes& out_;
};

}  // namespace answerd::ike
