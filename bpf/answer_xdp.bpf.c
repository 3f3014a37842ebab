/* answer_xdp.bpf.c: answerd's XDP filter. For each UDP datagram to a configured
 * IKE port it applies DESIGN.md "XDP verdicts" 1-9 in that order, drops what a
 * responder-only gateway can never legitimately receive, and counts every IKE
 * packet per source peer and globally. Maps: answer_maps.h; parsing:
 * answer_parsing.h; shared layouts: answer_xdp_shared.h.
 *
 * Kernel features used (all present in Linux 6.1): hash, LRU hash, per-CPU and
 * LPM trie maps, bpf_ktime_get_ns, and BPF atomics (fetch-add, cmpxchg; 5.12+,
 * compiled with -mcpu=v3). */
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "answer_maps.h"
#include "answer_parsing.h"
#include "answer_xdp_shared.h"

#define ANSWER_NOT_IKE (-1)

/* RFC 7296 3.1 IKE Header. */
struct answer_ike_hdr {
  __u8 spi_i[8];
  __u8 spi_r[8];
  __u8 next_payload;
  __u8 version; /* major << 4 | minor */
  __u8 exchange;
  __u8 flags;
  __u8 msg_id[4];
  __be32 length;
};
_Static_assert(sizeof(struct answer_ike_hdr) == ANSWER_IKE_HDR_LEN, "IKE header size");

static __always_inline int answer_is_zero8(const __u8 *b)
{
  __u64 v;
  __builtin_memcpy(&v, b, 8);
  return v == 0;
}

/* A timestamped entry (inflight, outstanding) is live when younger than max_age;
 * a timestamp after `now` was set concurrently and is live too. */
static __always_inline int answer_live(__u64 ts, __u64 now, __u64 max_age)
{
  return ts >= now || now - ts <= max_age;
}

static __always_inline void answer_stats_add(struct answer_stats *s, __u32 idx, __u64 bytes,
                                             __u64 now)
{
  if (idx < ANSWER_CNT_MAX)
    ((__u64 *)s)[idx] += 1; /* fields 0..ANSWER_CNT_MAX-1 are the counters, in order */
  s->bytes += bytes;
  if (!s->first_seen_ns)
    s->first_seen_ns = now;
  s->last_seen_ns = now;
}

static __always_inline void answer_count(const struct answer_addr *src, __u32 idx, __u64 bytes,
                                         __u64 now)
{
  __u32 zero = 0;
  struct answer_stats *g = bpf_map_lookup_elem(&global_stats, &zero);
  if (g)
    answer_stats_add(g, idx, bytes, now);
  struct answer_stats *s = bpf_map_lookup_elem(&peer_stats, src);
  if (!s) {
    struct answer_stats init = {};
    bpf_map_update_elem(&peer_stats, src, &init, BPF_NOEXIST);
    s = bpf_map_lookup_elem(&peer_stats, src);
  }
  if (s)
    answer_stats_add(s, idx, bytes, now);
}

/* Per-source token bucket for IKE_SA_INIT (verdict 8). Returns 1 when a token was
 * taken. Per-CPU races: the bucket is one shared entry per source, not per CPU
 * (a per-CPU bucket would multiply the configured rate by the number of receive
 * queues a source's packets land on). Every update is an atomic operation: the
 * refill is credited by the one CPU whose cmpxchg moves last_ns forward, so time
 * is never counted twice; take is a fetch-add of -1 token that is given back
 * when the bucket was empty; the clamp to the burst subtracts exactly the excess
 * that this refill added. Concurrent CPUs can thus never admit more than
 * burst + rate * elapsed requests. */
static __always_inline int answer_bucket_take(const struct answer_addr *src,
                                              const struct answer_config *cfg, __u64 now)
{
  __u64 rate = cfg->init_rate;
  if (!rate)
    return 1; /* rate limiting off */
  __u64 burst = cfg->init_burst ? cfg->init_burst : 1;
  if (rate > ANSWER_MAX_RATE)
    rate = ANSWER_MAX_RATE;
  if (burst > ANSWER_MAX_BURST)
    burst = ANSWER_MAX_BURST;
  __s64 cap = (__s64)(burst * ANSWER_TOKEN_UNIT);
  struct answer_bucket *b = bpf_map_lookup_elem(&init_bucket, src);
  if (!b) {
    struct answer_bucket fresh = {.last_ns = now, .tokens = cap - (__s64)ANSWER_TOKEN_UNIT};
    if (bpf_map_update_elem(&init_bucket, src, &fresh, BPF_NOEXIST) == 0)
      return 1;
    b = bpf_map_lookup_elem(&init_bucket, src); /* another CPU created it */
    if (!b)
      return 1;
  }
  __u64 last = b->last_ns;
  if (now > last) {
    __u64 elapsed = now - last;
    __u64 full = (__u64)cap / rate + 1; /* ns that refill an empty bucket */
    if (elapsed > full)
      elapsed = full;
    if (__sync_val_compare_and_swap(&b->last_ns, last, now) == last) {
      __s64 add = (__s64)(elapsed * rate);
      __s64 t = __sync_fetch_and_add(&b->tokens, add) + add;
      if (t > cap)
        __sync_fetch_and_add(&b->tokens, cap - t);
    }
  }
  __s64 before = __sync_fetch_and_add(&b->tokens, -(__s64)ANSWER_TOKEN_UNIT);
  if (before >= (__s64)ANSWER_TOKEN_UNIT)
    return 1;
  __sync_fetch_and_add(&b->tokens, (__s64)ANSWER_TOKEN_UNIT);
  return 0;
}

/* Verdicts 5-9 for a well-formed request or response from an allowed initiator.
 * Returns the counter index. */
static __always_inline int answer_exchange_verdict(const struct answer_pkt *pkt,
                                                   const struct answer_ike_hdr *h,
                                                   const struct answer_config *cfg, __u64 now)
{
  __u8 flags = h->flags;
  __u8 exch = h->exchange;
  if (flags & ANSWER_IKE_FLAG_RESPONSE) { /* 5 */
    struct answer_outstanding_key ok = {};
    __builtin_memcpy(ok.spi_i, h->spi_i, 8);
    __builtin_memcpy(ok.spi_r, h->spi_r, 8);
    __builtin_memcpy(ok.msg_id, h->msg_id, 4);
    __u64 *ts = bpf_map_lookup_elem(&outstanding, &ok);
    __u64 age = cfg->outstanding_max_age_ns ? cfg->outstanding_max_age_ns
                                            : ANSWER_DEFAULT_OUTSTANDING_MAX_AGE_NS;
    if (!ts)
      return ANSWER_CNT_UNSOLICITED_RESPONSE;
    if (!answer_live(*ts, now, age)) {
      bpf_map_delete_elem(&outstanding, &ok);
      return ANSWER_CNT_UNSOLICITED_RESPONSE;
    }
  } else if (exch == ANSWER_IKE_EXCH_SA_INIT) {
    __u32 msg_id;
    __builtin_memcpy(&msg_id, h->msg_id, 4);
    /* 6: RFC 7296 2.2, the Message ID of IKE_SA_INIT is zero (retries included); the
     * daemon's parser drops the same requests as malformed. */
    if (!answer_is_zero8(h->spi_r) || msg_id != 0)
      return ANSWER_CNT_MALFORMED;
    struct answer_inflight_key ik = {}; /* 7 */
    ik.src = pkt->src;
    __builtin_memcpy(ik.sport, pkt->sport, 2);
    __builtin_memcpy(ik.spi_i, h->spi_i, 8);
    __u64 *ts = bpf_map_lookup_elem(&inflight, &ik);
    if (ts) {
      __u64 age = cfg->inflight_max_age_ns ? cfg->inflight_max_age_ns
                                           : ANSWER_DEFAULT_INFLIGHT_MAX_AGE_NS;
      if (answer_live(*ts, now, age))
        return ANSWER_CNT_RETRANSMIT_DROPPED;
      bpf_map_delete_elem(&inflight, &ik); /* the daemon lost it: age out */
    }
    if (!answer_bucket_take(&pkt->src, cfg, now)) /* 8 */
      return ANSWER_CNT_RATE_LIMITED;
  }
  switch (exch) { /* 9 */
  case ANSWER_IKE_EXCH_SA_INIT:
    return ANSWER_CNT_IKE_SA_INIT;
  case ANSWER_IKE_EXCH_AUTH:
    return ANSWER_CNT_IKE_AUTH;
  case ANSWER_IKE_EXCH_CREATE_CHILD_SA:
    return ANSWER_CNT_CREATE_CHILD_SA;
  case ANSWER_IKE_EXCH_INFORMATIONAL:
    return ANSWER_CNT_INFORMATIONAL;
  default:
    return ANSWER_CNT_OTHER;
  }
}

/* Verdicts 1-2 on the UDP payload: ANSWER_NOT_IKE, ANSWER_CNT_MALFORMED, or 0
 * with *hdr set to a complete, well-formed IKE header. */
static __always_inline int answer_find_ike(const struct answer_pkt *pkt, void *end,
                                           __u16 natt_port, struct answer_ike_hdr **hdr)
{
  void *p = pkt->payload;
  __u32 len = pkt->payload_len;
  if (pkt->udp_len_bad)
    return ANSWER_CNT_MALFORMED;
  if (pkt->dport == natt_port) { /* RFC 3948 2.2, RFC 7296 2.23: non-ESP marker */
    if (len == 1 && p + 1 <= end && *(__u8 *)p == 0xff)
      return ANSWER_NOT_IKE; /* NAT keepalive */
    if (len < 4 || p + 4 > end)
      return ANSWER_CNT_MALFORMED;
    __u32 marker;
    __builtin_memcpy(&marker, p, 4);
    if (marker != 0)
      return ANSWER_NOT_IKE; /* ESP in UDP */
    p += 4;
    len -= 4;
  }
  struct answer_ike_hdr *h = p;
  if (len < ANSWER_IKE_HDR_LEN || (void *)(h + 1) > end)
    return ANSWER_CNT_MALFORMED;
  __u32 ike_len = bpf_ntohl(h->length);
  if (ike_len < ANSWER_IKE_HDR_LEN || ike_len > len || (h->version >> 4) != 2)
    return ANSWER_CNT_MALFORMED;
  *hdr = h;
  return 0;
}

/* Verdicts 3-4, then 5-9; returns the counter index. */
static __always_inline int answer_verdict(const struct answer_pkt *pkt,
                                          const struct answer_ike_hdr *h,
                                          const struct answer_config *cfg, __u64 now)
{
  if (cfg->flags & ANSWER_CFG_ALLOWLIST) { /* 3 */
    struct answer_allow_key ak = {.prefixlen = 128};
    __builtin_memcpy(ak.addr, pkt->src.addr, 16);
    if (!bpf_map_lookup_elem(&allow, &ak))
      return ANSWER_CNT_UNKNOWN_PEER;
  }
  if (!(h->flags & ANSWER_IKE_FLAG_INITIATOR)) /* 4 */
    return ANSWER_CNT_ROLE_VIOLATION;
  return answer_exchange_verdict(pkt, h, cfg, now);
}

SEC("xdp")
int answer_xdp(struct xdp_md *ctx)
{
  void *data = (void *)(long)ctx->data;
  void *end = (void *)(long)ctx->data_end;
  __u32 zero = 0;
  struct answer_config *stored = bpf_map_lookup_elem(&config, &zero);
  struct answer_config none = {};
  const struct answer_config *cfg = stored ? stored : &none;
  __u16 ike_port = cfg->ike_port ? cfg->ike_port : ANSWER_IKE_DEFAULT_PORT;
  __u16 natt_port = cfg->natt_port ? cfg->natt_port : ANSWER_IKE_DEFAULT_NATT_PORT;

  struct answer_cursor c = {.pos = data, .end = end};
  struct answer_pkt pkt = {};
  if (!answer_parse(&c, &pkt, ike_port, natt_port))
    return XDP_PASS; /* 1 */
  struct answer_ike_hdr *h = NULL;
  int idx = answer_find_ike(&pkt, end, natt_port, &h);
  if (idx == ANSWER_NOT_IKE)
    return XDP_PASS; /* 1: keepalive, ESP in UDP */
  __u64 now = bpf_ktime_get_ns();
  if (idx == 0 && h)
    idx = answer_verdict(&pkt, h, cfg, now);
  answer_count(&pkt.src, (__u32)idx, (__u64)(end - data), now);
  return idx < ANSWER_CNT_FIRST_PASS ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
