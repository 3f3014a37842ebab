/* answer_parsing.h: cursor-style packet parsing for the XDP filter, from the
 * Ethernet header to the UDP payload of a datagram sent to an IKE port. Every
 * header is bounds-checked against data_end before it is read (the style of
 * xdp-tools' parsing_helpers.h). Anything that is not such a datagram, or cannot
 * be parsed far enough to tell, is "not IKE" and passes untouched: XDP is a
 * pre-filter in front of the daemon, which validates every message again. */
#ifndef ANSWER_PARSING_H
#define ANSWER_PARSING_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "answer_xdp_shared.h"

#define ANSWER_MAX_VLAN_TAGS 2 /* 802.1Q, or 802.1ad outer + 802.1Q inner */
#define ANSWER_MAX_IPV6_EXT 6  /* extension headers walked before giving up */

struct answer_cursor {
  void *pos;
  void *end;
};

/* What the parser found: the source and the UDP payload of a datagram to an IKE
 * port. payload_len comes from the UDP length field (the whole datagram, also for
 * a first fragment); the bytes present may be fewer. */
struct answer_pkt {
  struct answer_addr src;
  __u8 sport[2];
  __u16 dport; /* host order */
  void *payload;
  __u32 payload_len;
  int udp_len_bad; /* UDP length field below 8 */
};

struct answer_vlan_hdr {
  __be16 tci;
  __be16 proto;
};

struct answer_ipv6_frag {
  __u8 nexthdr;
  __u8 reserved;
  __be16 frag_off; /* offset << 3 | M */
  __be32 id;
};

static __always_inline int answer_is_vlan(__be16 proto)
{
  return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

/* Ethernet and up to two VLAN tags; returns the inner EtherType (network order)
 * or 0 when the frame is too short. */
static __always_inline __be16 answer_parse_eth(struct answer_cursor *c)
{
  struct ethhdr *eth = c->pos;
  if ((void *)(eth + 1) > c->end)
    return 0;
  c->pos = eth + 1;
  __be16 proto = eth->h_proto;
#pragma unroll
  for (int i = 0; i < ANSWER_MAX_VLAN_TAGS; i++) {
    if (!answer_is_vlan(proto))
      break;
    struct answer_vlan_hdr *vh = c->pos;
    if ((void *)(vh + 1) > c->end)
      return 0;
    c->pos = vh + 1;
    proto = vh->proto;
  }
  return proto;
}

/* IPv4 with options. Returns the L4 protocol, or -1: short, bad, or a fragment
 * after the first (only the first fragment carries the UDP header). */
static __always_inline int answer_parse_ipv4(struct answer_cursor *c, struct answer_pkt *pkt)
{
  struct iphdr *iph = c->pos;
  if ((void *)(iph + 1) > c->end)
    return -1;
  if (iph->version != 4)
    return -1;
  __u32 hdrsize = iph->ihl * 4;
  if (hdrsize < sizeof(*iph))
    return -1;
  if (c->pos + hdrsize > c->end)
    return -1;
  if (iph->frag_off & bpf_htons(0x1fff)) /* offset != 0: later fragment */
    return -1;
  c->pos += hdrsize;
  __builtin_memset(pkt->src.addr, 0, 10);
  pkt->src.addr[10] = 0xff;
  pkt->src.addr[11] = 0xff;
  __builtin_memcpy(&pkt->src.addr[12], &iph->saddr, 4);
  return iph->protocol;
}

/* IPv6 and its extension headers (hop-by-hop, routing, destination options,
 * fragment) up to ANSWER_MAX_IPV6_EXT. Returns the upper-layer protocol or -1:
 * short, too many extension headers, or a fragment with a non-zero offset. */
static __always_inline int answer_parse_ipv6(struct answer_cursor *c, struct answer_pkt *pkt)
{
  struct ipv6hdr *ip6 = c->pos;
  if ((void *)(ip6 + 1) > c->end)
    return -1;
  if (ip6->version != 6)
    return -1;
  c->pos = ip6 + 1;
  __builtin_memcpy(pkt->src.addr, &ip6->saddr, 16);
  __u8 next = ip6->nexthdr;
#pragma unroll
  for (int i = 0; i < ANSWER_MAX_IPV6_EXT; i++) {
    switch (next) {
    case IPPROTO_HOPOPTS:
    case IPPROTO_ROUTING:
    case IPPROTO_DSTOPTS: {
      struct ipv6_opt_hdr *oh = c->pos;
      if ((void *)(oh + 1) > c->end)
        return -1;
      __u32 len = (oh->hdrlen + 1) * 8;
      if (c->pos + len > c->end)
        return -1;
      next = oh->nexthdr;
      c->pos += len;
      break;
    }
    case IPPROTO_FRAGMENT: {
      struct answer_ipv6_frag *fh = c->pos;
      if ((void *)(fh + 1) > c->end)
        return -1;
      if (fh->frag_off & bpf_htons(0xfff8)) /* offset != 0: later fragment */
        return -1;
      next = fh->nexthdr;
      c->pos = fh + 1;
      break;
    }
    default:
      return next;
    }
  }
  switch (next) {
  case IPPROTO_HOPOPTS:
  case IPPROTO_ROUTING:
  case IPPROTO_DSTOPTS:
  case IPPROTO_FRAGMENT:
    return -1; /* deeper than we walk: leave it to the kernel */
  default:
    return next;
  }
}

/* UDP to one of the two IKE ports. Returns 1 when pkt describes such a datagram. */
static __always_inline int answer_parse_udp(struct answer_cursor *c, struct answer_pkt *pkt,
                                            __u16 ike_port, __u16 natt_port)
{
  struct udphdr *udp = c->pos;
  if ((void *)(udp + 1) > c->end)
    return 0;
  __u16 dport = bpf_ntohs(udp->dest);
  if (dport != ike_port && dport != natt_port)
    return 0;
  __builtin_memcpy(pkt->sport, &udp->source, 2);
  pkt->dport = dport;
  __u16 ulen = bpf_ntohs(udp->len);
  pkt->udp_len_bad = ulen < sizeof(*udp);
  pkt->payload_len = pkt->udp_len_bad ? 0 : ulen - sizeof(*udp);
  pkt->payload = udp + 1;
  return 1;
}

/* The whole walk: returns 1 for a UDP datagram to an IKE port (first fragment
 * included), 0 for anything else. */
static __always_inline int answer_parse(struct answer_cursor *c, struct answer_pkt *pkt,
                                        __u16 ike_port, __u16 natt_port)
{
  __be16 proto = answer_parse_eth(c);
  int l4;
  if (proto == bpf_htons(ETH_P_IP))
    l4 = answer_parse_ipv4(c, pkt);
  else if (proto == bpf_htons(ETH_P_IPV6))
    l4 = answer_parse_ipv6(c, pkt);
  else
    return 0;
  if (l4 != IPPROTO_UDP) /* ESP (50) and everything else pass */
    return 0;
  return answer_parse_udp(c, pkt, ike_port, natt_port);
}

#endif /* ANSWER_PARSING_H */
