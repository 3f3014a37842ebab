// IkeSocket batches (see ike_socket.h): receive_batch() with recvmmsg, send_batch()
// with sendmmsg. A datagram is classified and addressed exactly as by receive() and
// send(); only the number of system calls changes.
#include "daemon/ike_socket.h"

#include <algorithm>
#include <climits>
#include <cerrno>

namespace answerd::daemon {

RecvBatch::RecvBatch(std::size_t slots, std::size_t max_datagram)
    : slot_bytes_(std::max<std::size_t>(max_datagram, 28) + 4),  // room for the non-ESP marker
      bufs_(std::max<std::size_t>(slots, 1) * slot_bytes_),
      slots_(std::max<std::size_t>(slots, 1)),
      hdrs_(slots_.size()),
      entries_(slots_.size()) {}

std::size_t IkeSocket::receive_batch(RecvBatch& b, std::size_t max) {
  // Each slot is cut to this socket's receive size, so that truncation is the same
  // as receive()'s whatever the batch was sized for.
  const std::size_t want = std::min({max, b.capacity(), static_cast<std::size_t>(UIO_MAXIOV)});
  const std::size_t len = std::min(buf_.size(), b.slot_bytes_);
  for (std::size_t i = 0; i < want; ++i) {
    RecvBatch::Slot& s = b.slots_[i];
    s.iov = {b.bufs_.data() + i * b.slot_bytes_, len};
    msghdr& m = b.hdrs_[i].msg_hdr;
    m = msghdr{};
    m.msg_name = &s.from;
    m.msg_namelen = sizeof s.from;
    m.msg_iov = &s.iov;
    m.msg_iovlen = 1;
    m.msg_control = s.cbuf.data();
    m.msg_controllen = s.cbuf.size();
    b.hdrs_[i].msg_len = 0;
  }
  b.count_ = 0;
  if (want == 0) return 0;
  int n = ::recvmmsg(fd_.get(), b.hdrs_.data(), static_cast<unsigned>(want), MSG_TRUNC | MSG_DONTWAIT, nullptr);
  if (n < 0) {
    last_errno_ = errno;
    bool again = errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    b.entries_[0].status = again ? RecvStatus::would_block : RecvStatus::error;
    b.count_ = 1;
    return 1;
  }
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
    const msghdr& m = b.hdrs_[i].msg_hdr;
    // msg_len is the datagram's real length (MSG_TRUNC), which classify() compares
    // with this socket's limit, as receive() does.
    std::size_t real = b.hdrs_[i].msg_len;
    if (real > len && (m.msg_flags & MSG_TRUNC) == 0) real = len + 1;  // cannot happen; stay safe
    b.entries_[i].status = real > len ? RecvStatus::truncated
                                      : classify(b.bufs_.data() + i * b.slot_bytes_, real, m, b.entries_[i].datagram);
  }
  b.count_ = static_cast<std::size_t>(n);
  return b.count_;
}

std::size_t IkeSocket::send_batch(std::span<const Datagram> ds, std::vector<int>& errors) {
  errors.assign(ds.size(), 0);
  if (send_slots_.size() < ds.size()) {
    send_slots_.resize(ds.size());
    send_hdrs_.resize(ds.size());
  }
  // Only check()ed datagrams go out; one that is not fails alone, with EINVAL.
  std::vector<std::size_t> index;  // position in ds of each prepared header
  index.reserve(ds.size());
  for (std::size_t i = 0; i < ds.size(); ++i) {
    if (!check(ds[i])) {
      errors[i] = EINVAL;
      continue;
    }
    std::size_t k = index.size();
    prepare_send(ds[i], send_slots_[k], send_hdrs_[k].msg_hdr);
    send_hdrs_[k].msg_len = 0;
    index.push_back(i);
  }
  std::size_t sent = 0, k = 0;
  while (k < index.size()) {
    auto chunk = static_cast<unsigned>(std::min<std::size_t>(index.size() - k, UIO_MAXIOV));
    int n = ::sendmmsg(fd_.get(), send_hdrs_.data() + k, chunk, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      k += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // The datagram at k failed (sendmmsg reports an error only for the first one it
    // could not send): record it and go on with the next.
    last_errno_ = n < 0 ? errno : EIO;
    errors[index[k]] = last_errno_;
    ++k;
  }
  return sent;
}

}  // namespace answerd::daemon
