/* answer_xdp_shared.h: the one definition of everything the XDP filter and
 * userspace share: map names and pin layout, map keys and values, counter names
 * and their order, config defaults. Included by bpf/answer_xdp.bpf.c (C, BPF
 * target) and by userspace/kernel/xdp (C++, which adds static_asserts on sizes).
 * Never copy a struct from here: include this file.
 *
 * Byte order: addresses, ports in keys, SPIs and message IDs are stored exactly
 * as on the wire (network order, byte arrays); config values are host order.
 * A change to any key or value layout bumps ANSWER_XDP_LAYOUT_VERSION, which is
 * part of the pin path, so a new layout never collides with pinned old maps. */
#ifndef ANSWER_XDP_SHARED_H
#define ANSWER_XDP_SHARED_H

#include <linux/types.h>

#define ANSWER_XDP_LAYOUT_VERSION 1
/* Maps are pinned under <bpffs>/v<ANSWER_XDP_LAYOUT_VERSION>/<map name>, links
 * under <bpffs>/v<N>/links/<ifname>. Default bpffs folder: */
#define ANSWER_XDP_DEFAULT_BPFFS "/sys/fs/bpf/answerd"

/* IKE (RFC 7296 3.1) and NAT-T (RFC 3948) constants used by the filter. */
#define ANSWER_IKE_HDR_LEN 28
#define ANSWER_IKE_DEFAULT_PORT 500
#define ANSWER_IKE_DEFAULT_NATT_PORT 4500
#define ANSWER_IKE_FLAG_INITIATOR 0x08
#define ANSWER_IKE_FLAG_RESPONSE 0x20
#define ANSWER_IKE_EXCH_SA_INIT 34
#define ANSWER_IKE_EXCH_AUTH 35
#define ANSWER_IKE_EXCH_CREATE_CHILD_SA 36
#define ANSWER_IKE_EXCH_INFORMATIONAL 37

/* Counter indices, in DESIGN.md "XDP verdicts" order: drops, then passes by
 * exchange type. The first ANSWER_CNT_MAX fields of struct answer_stats are these
 * counters in this order (the program increments field [index]). */
enum answer_counter {
  ANSWER_CNT_MALFORMED = 0,
  ANSWER_CNT_UNKNOWN_PEER,
  ANSWER_CNT_ROLE_VIOLATION,
  ANSWER_CNT_UNSOLICITED_RESPONSE,
  ANSWER_CNT_RETRANSMIT_DROPPED,
  ANSWER_CNT_RATE_LIMITED,
  ANSWER_CNT_IKE_SA_INIT,
  ANSWER_CNT_IKE_AUTH,
  ANSWER_CNT_CREATE_CHILD_SA,
  ANSWER_CNT_INFORMATIONAL,
  ANSWER_CNT_OTHER,
  ANSWER_CNT_MAX,
};
/* First pass counter: indices below it are drops. */
#define ANSWER_CNT_FIRST_PASS ANSWER_CNT_IKE_SA_INIT

/* Counter names, index order; the JSON field names of `answerctl peer show`. */
#define ANSWER_COUNTER_NAMES                                                    \
  {                                                                             \
    "malformed", "unknown_peer", "role_violation", "unsolicited_response",      \
        "retransmit_dropped", "rate_limited", "ike_sa_init", "ike_auth",        \
        "create_child_sa", "informational", "other"                             \
  }

/* Value of `peer_stats` (per peer, per CPU) and `global_stats` (one entry, per
 * CPU). Counts every packet that reached verdict 2..9 (an IKE packet). Per CPU:
 * userspace sums the counters and bytes, takes the minimum non-zero
 * first_seen_ns and the maximum last_seen_ns (bpf_ktime_get_ns, CLOCK_MONOTONIC). */
struct answer_stats {
  __u64 malformed;
  __u64 unknown_peer;
  __u64 role_violation;
  __u64 unsolicited_response;
  __u64 retransmit_dropped;
  __u64 rate_limited;
  __u64 ike_sa_init;
  __u64 ike_auth;
  __u64 create_child_sa;
  __u64 informational;
  __u64 other;
  __u64 bytes; /* frame bytes of counted packets */
  __u64 first_seen_ns;
  __u64 last_seen_ns;
};

/* Peer address: IPv6, or IPv4 mapped as ::ffff:a.b.c.d (RFC 4291 2.5.5.2). */
struct answer_addr {
  __u8 addr[16];
};

/* `allow` LPM trie key; prefixlen counts bits of the IPv6(-mapped) address, so an
 * IPv4 /24 is prefixlen 96 + 24. */
struct answer_allow_key {
  __u32 prefixlen;
  __u8 addr[16];
};

/* `inflight` key: the daemon is computing the IKE_SA_INIT answer to this
 * (source address, source port, SPIi). Value: __u64 bpf_ktime_get_ns() time
 * (CLOCK_MONOTONIC) when set; entries older than config inflight_max_age_ns are
 * ignored and deleted by the program. */
struct answer_inflight_key {
  struct answer_addr src;
  __u8 sport[2]; /* network order */
  __u8 pad[6];   /* zero */
  __u8 spi_i[8]; /* wire order */
};

/* `outstanding` key: a request answerd sent (INFORMATIONAL only) whose response
 * may pass. Value: __u64 CLOCK_MONOTONIC ns when registered; entries older than
 * config outstanding_max_age_ns are ignored and deleted by the program. */
struct answer_outstanding_key {
  __u8 spi_i[8];
  __u8 spi_r[8];
  __u8 msg_id[4];
  __u8 pad[4]; /* zero */
};

/* `init_bucket` value: per-source token bucket for IKE_SA_INIT requests. Tokens
 * are in units of 1/ANSWER_TOKEN_UNIT. Shared by all CPUs and updated with atomic
 * operations (see answer_xdp.bpf.c). */
#define ANSWER_TOKEN_UNIT 1000000000ULL
struct answer_bucket {
  __u64 last_ns;
  __s64 tokens;
};

/* `config` map, one entry (key 0). Zero fields mean the default. */
#define ANSWER_CFG_ALLOWLIST 0x1u /* every connection restricts remote_addrs */
#define ANSWER_DEFAULT_INFLIGHT_MAX_AGE_NS (5ULL * 1000000000ULL)
#define ANSWER_DEFAULT_OUTSTANDING_MAX_AGE_NS (120ULL * 1000000000ULL)
#define ANSWER_MAX_RATE 1000000u  /* bounds that keep the bucket arithmetic exact */
#define ANSWER_MAX_BURST 1000000u
struct answer_config {
  __u16 ike_port;  /* host order; 0: 500 */
  __u16 natt_port; /* host order; 0: 4500 (non-ESP marker port) */
  __u32 flags;     /* ANSWER_CFG_* */
  __u32 init_rate; /* IKE_SA_INIT per second per source; 0: unlimited */
  __u32 init_burst;
  __u64 inflight_max_age_ns;    /* 0: default */
  __u64 outstanding_max_age_ns; /* 0: default */
};

/* Map sizes. */
#define ANSWER_MAX_PEERS 65536
#define ANSWER_MAX_BUCKETS 65536
#define ANSWER_MAX_INFLIGHT 16384
#define ANSWER_MAX_OUTSTANDING 16384
#define ANSWER_MAX_ALLOW 16384

#endif /* ANSWER_XDP_SHARED_H */
