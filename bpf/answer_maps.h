/* answer_maps.h: the XDP filter's maps, one comment each. Every map has BTF
 * (key and value types from answer_xdp_shared.h) and is pinned by name: the
 * loader sets the pin root to <bpffs>/v<ANSWER_XDP_LAYOUT_VERSION>, so a restarted
 * daemon reuses the maps and counters keep counting. No global variables: every
 * piece of state is in a pinned map. */
#ifndef ANSWER_MAPS_H
#define ANSWER_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "answer_xdp_shared.h"

/* Configuration written by the daemon (ports, rate, burst, allowlist flag, ages). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct answer_config);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} config SEC(".maps");

/* Per-peer counters, keyed by source address; LRU so that a spoofed flood evicts
 * old peers instead of failing; per-CPU values, summed by userspace. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
  __uint(max_entries, ANSWER_MAX_PEERS);
  __type(key, struct answer_addr);
  __type(value, struct answer_stats);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} peer_stats SEC(".maps");

/* Global counters: one entry, per-CPU. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct answer_stats);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} global_stats SEC(".maps");

/* Allowed peer prefixes (IPv6-mapped), consulted only with ANSWER_CFG_ALLOWLIST. */
struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, ANSWER_MAX_ALLOW);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct answer_allow_key);
  __type(value, __u8);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} allow SEC(".maps");

/* IKE_SA_INIT requests whose answer the daemon is computing → set time (ns). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, ANSWER_MAX_INFLIGHT);
  __type(key, struct answer_inflight_key);
  __type(value, __u64);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} inflight SEC(".maps");

/* Requests answerd sent (INFORMATIONAL) whose responses may pass → set time (ns). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, ANSWER_MAX_OUTSTANDING);
  __type(key, struct answer_outstanding_key);
  __type(value, __u64);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} outstanding SEC(".maps");

/* IKE_SA_INIT token bucket per source address; shared by CPUs (atomics). */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, ANSWER_MAX_BUCKETS);
  __type(key, struct answer_addr);
  __type(value, struct answer_bucket);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} init_bucket SEC(".maps");

#endif /* ANSWER_MAPS_H */
