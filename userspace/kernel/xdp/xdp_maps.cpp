// Typed access to the XDP filter's maps; see xdp_maps.h.
#include "kernel/xdp/xdp_maps.h"

#include "kernel/xdp/bpffs.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace answerd::kernel::xdp {
namespace {

std::uint64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

std::string map_name(XdpMaps::Map m) { return XdpMaps::kMapNames[m]; }

}  // namespace

answer_stats sum_stats(std::span<const answer_stats> per_cpu) {
  answer_stats t{};
  for (const answer_stats& s : per_cpu) {
    t.malformed += s.malformed;
    t.unknown_peer += s.unknown_peer;
    t.role_violation += s.role_violation;
    t.unsolicited_response += s.unsolicited_response;
    t.retransmit_dropped += s.retransmit_dropped;
    t.rate_limited += s.rate_limited;
    t.ike_sa_init += s.ike_sa_init;
    t.ike_auth += s.ike_auth;
    t.create_child_sa += s.create_child_sa;
    t.informational += s.informational;
    t.other += s.other;
    t.bytes += s.bytes;
    if (s.first_seen_ns && (!t.first_seen_ns || s.first_seen_ns < t.first_seen_ns))
      t.first_seen_ns = s.first_seen_ns;
    t.last_seen_ns = std::max(t.last_seen_ns, s.last_seen_ns);
  }
  return t;
}

answer_config default_config() {
  return answer_config{.ike_port = ANSWER_IKE_DEFAULT_PORT,
                       .natt_port = ANSWER_IKE_DEFAULT_NATT_PORT,
                       .flags = 0,
                       .init_rate = 200,
                       .init_burst = 50,
                       .inflight_max_age_ns = ANSWER_DEFAULT_INFLIGHT_MAX_AGE_NS,
                       .outstanding_max_age_ns = ANSWER_DEFAULT_OUTSTANDING_MAX_AGE_NS};
}

answer_inflight_key inflight_key(const answer_addr& src, std::uint16_t sport, ike::IkeSpi spi_i) {
  answer_inflight_key k{};
  k.src = src;
  k.sport[0] = static_cast<std::uint8_t>(sport >> 8);
  k.sport[1] = static_cast<std::uint8_t>(sport);
  spi_i.to_wire(std::span<std::uint8_t, 8>(k.spi_i, 8));
  return k;
}

answer_outstanding_key outstanding_key(ike::IkeSpi spi_i, ike::IkeSpi spi_r, ike::MessageId id) {
  answer_outstanding_key k{};
  spi_i.to_wire(std::span<std::uint8_t, 8>(k.spi_i, 8));
  spi_r.to_wire(std::span<std::uint8_t, 8>(k.spi_r, 8));
  id.to_wire(std::span<std::uint8_t, 4>(k.msg_id, 4));
  return k;
}

Result<XdpMaps> XdpMaps::open_pinned(const std::string& bpffs) {
  if (auto ok = check_bpffs(bpffs); !ok) return answerd::unexpected<Error>(ok.error());
  std::array<UniqueFd, kMapCount> fds;
  for (int m = 0; m < kMapCount; ++m) {
    std::string path = map_path(bpffs, kMapNames[m]);
    int fd = ::bpf_obj_get(path.c_str());
    if (fd < 0) {
      int err = errno;
      if (err == ENOENT)
        return answerd::unexpected<Error>(Error{
            .code = ENOENT,
            .message = "map " + path + " missing: the XDP program was never loaded with bpffs " +
                       bpffs + " (layout v" + std::to_string(ANSWER_XDP_LAYOUT_VERSION) + ")"});
      return fail(err, "open pinned map " + path);
    }
    fds[m].reset(fd);
  }
  return adopt(std::move(fds));
}

Result<XdpMaps> XdpMaps::adopt(std::array<UniqueFd, kMapCount> fds) {
  int ncpus = ::libbpf_num_possible_cpus();
  if (ncpus <= 0) return fail(-ncpus, "libbpf_num_possible_cpus");
  return XdpMaps(std::move(fds), ncpus);
}

Result<std::vector<answer_stats>> XdpMaps::read_percpu(Map m, const void* key) const {
  std::vector<answer_stats> v(static_cast<std::size_t>(ncpus_));  // 112 bytes: 8-aligned
  if (::bpf_map_lookup_elem(fd(m), key, v.data()) != 0) {
    if (errno == ENOENT) return std::vector<answer_stats>{};
    return fail(errno, "read " + map_name(m));
  }
  return v;
}

Result<bool> XdpMaps::remove(Map m, const void* key) {
  if (::bpf_map_delete_elem(fd(m), key) == 0) return true;
  if (errno == ENOENT) return false;
  return fail(errno, "delete from " + map_name(m));
}

Result<std::vector<PeerStats>> XdpMaps::peers() const {
  std::vector<PeerStats> out;
  answer_addr key{};
  const void* prev = nullptr;
  while (::bpf_map_get_next_key(fd(kPeerStats), prev, &key) == 0) {
    auto v = read_percpu(kPeerStats, &key);
    if (!v) return answerd::unexpected<Error>(v.error());
    if (!v->empty()) out.push_back(PeerStats{.addr = key, .stats = sum_stats(*v)});
    prev = &key;
  }
  if (errno != ENOENT) return fail(errno, "iterate peer_stats");
  return out;
}

Result<std::optional<answer_stats>> XdpMaps::peer(const answer_addr& a) const {
  auto v = read_percpu(kPeerStats, &a);
  if (!v) return answerd::unexpected<Error>(v.error());
  if (v->empty()) return std::optional<answer_stats>{};
  return std::optional<answer_stats>(sum_stats(*v));
}

Result<std::vector<answer_stats>> XdpMaps::peer_per_cpu(const answer_addr& a) const {
  return read_percpu(kPeerStats, &a);
}

Result<std::vector<answer_stats>> XdpMaps::global_per_cpu() const {
  const std::uint32_t zero = 0;
  return read_percpu(kGlobalStats, &zero);
}

Result<answer_stats> XdpMaps::global() const {
  auto v = global_per_cpu();
  if (!v) return answerd::unexpected<Error>(v.error());
  return sum_stats(*v);
}

Result<bool> XdpMaps::reset_peer(const answer_addr& a) { return remove(kPeerStats, &a); }

Result<std::size_t> XdpMaps::reset_peers() { return clear(kPeerStats); }

Result<void> XdpMaps::reset_global() {
  const std::uint32_t zero = 0;
  std::vector<answer_stats> v(static_cast<std::size_t>(ncpus_));
  if (::bpf_map_update_elem(fd(kGlobalStats), &zero, v.data(), BPF_ANY) != 0)
    return fail(errno, "reset global_stats");
  return {};
}

Result<std::size_t> XdpMaps::clear(Map m) {
  // Collect first: deleting while walking with get_next_key restarts the walk.
  std::vector<std::vector<unsigned char>> keys;
  std::vector<unsigned char> key(64), next(64);
  const void* prev = nullptr;
  while (::bpf_map_get_next_key(fd(m), prev, next.data()) == 0) {
    keys.push_back(next);
    key = next;
    prev = key.data();
  }
  if (errno != ENOENT) return fail(errno, "iterate " + map_name(m));
  std::size_t n = 0;
  for (const auto& k : keys) {
    auto r = remove(m, k.data());
    if (!r) return answerd::unexpected<Error>(r.error());
    n += *r ? 1 : 0;
  }
  return n;
}

Result<answer_config> XdpMaps::config() const {
  const std::uint32_t zero = 0;
  answer_config c{};
  if (::bpf_map_lookup_elem(fd(kConfig), &zero, &c) != 0) return fail(errno, "read config");
  return c;
}

Result<void> XdpMaps::set_config(const answer_config& c) {
  if (c.init_rate > ANSWER_MAX_RATE || c.init_burst > ANSWER_MAX_BURST)
    return answerd::unexpected<Error>(
        Error{.code = EINVAL,
              .message = "init_rate and init_burst must be at most " +
                         std::to_string(ANSWER_MAX_RATE) + " and " +
                         std::to_string(ANSWER_MAX_BURST)});
  const std::uint32_t zero = 0;
  if (::bpf_map_update_elem(fd(kConfig), &zero, &c, BPF_ANY) != 0)
    return fail(errno, "write config");
  return {};
}

Result<void> XdpMaps::allow_add(const answer_allow_key& prefix) {
  if (prefix.prefixlen > 128)
    return answerd::unexpected<Error>(Error{.code = EINVAL, .message = "prefix length > 128"});
  answer_allow_key k{};
  k.prefixlen = prefix.prefixlen;
  for (unsigned i = 0; i < 16; ++i) {  // zero the host bits
    unsigned keep = std::min(8u, prefix.prefixlen > i * 8 ? prefix.prefixlen - i * 8 : 0u);
    k.addr[i] = static_cast<std::uint8_t>(prefix.addr[i] & (0xff00u >> keep));
  }
  const std::uint8_t one = 1;
  if (::bpf_map_update_elem(fd(kAllow), &k, &one, BPF_ANY) != 0) return fail(errno, "allow add");
  return {};
}

Result<std::size_t> XdpMaps::allow_clear() { return clear(kAllow); }

Result<void> XdpMaps::inflight_set(const answer_addr& src, std::uint16_t sport,
                                   ike::IkeSpi spi_i) {
  auto k = inflight_key(src, sport, spi_i);
  const std::uint64_t now = monotonic_ns();
  if (::bpf_map_update_elem(fd(kInflight), &k, &now, BPF_ANY) != 0)
    return fail(errno, "inflight set");
  return {};
}

Result<bool> XdpMaps::inflight_clear(const answer_addr& src, std::uint16_t sport,
                                     ike::IkeSpi spi_i) {
  auto k = inflight_key(src, sport, spi_i);
  return remove(kInflight, &k);
}

Result<void> XdpMaps::outstanding_add(ike::IkeSpi spi_i, ike::IkeSpi spi_r, ike::MessageId id) {
  auto k = outstanding_key(spi_i, spi_r, id);
  const std::uint64_t now = monotonic_ns();
  if (::bpf_map_update_elem(fd(kOutstanding), &k, &now, BPF_ANY) != 0)
    return fail(errno, "outstanding add");
  return {};
}

Result<bool> XdpMaps::outstanding_remove(ike::IkeSpi spi_i, ike::IkeSpi spi_r,
                                         ike::MessageId id) {
  auto k = outstanding_key(spi_i, spi_r, id);
  return remove(kOutstanding, &k);
}

}  // namespace answerd::kernel::xdp
