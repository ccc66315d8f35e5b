/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Forwarding a packet: FIB lookup, TTL, MAC rewrite, devmap redirect (see
 * next_hop.h for the way established flows skip the FIB). */
#ifndef XDPLB_FORWARD_H
#define XDPLB_FORWARD_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "counters.h"
#include "csum.h"
#include "parse.h"

/* Asks the kernel's FIB how to reach dst. The source address goes in too, so
 * that policy routing sees the packet as it will leave; with want_source the
 * kernel also fills in its preferred source address for that route. */
static __always_inline int fib_lookup(struct xdp_md *ctx, struct bpf_fib_lookup *fib,
				      const struct packet *pkt, const struct xdplb_addr *src,
				      const struct xdplb_addr *dst, bool want_source, const bool ipv4)
{
	__builtin_memset(fib, 0, sizeof(*fib));
	fib->family = pkt->key.family;
	fib->l4_protocol = pkt->key.proto;
	fib->tot_len = pkt->frame_bytes;
	fib->ifindex = ctx->ingress_ifindex;
	if (ipv4) {
		fib->tos = pkt->ip->tos;
		fib->ipv4_src = src->words[0];
		fib->ipv4_dst = dst->words[0];
	} else {
		fib->flowinfo = *(__be32 *)pkt->ip6 & bpf_htonl(0x0fffffff);
		__builtin_memcpy(fib->ipv6_src, src->words, sizeof(fib->ipv6_src));
		__builtin_memcpy(fib->ipv6_dst, dst->words, sizeof(fib->ipv6_dst));
	}
	return bpf_fib_lookup(ctx, fib, sizeof(*fib), want_source ? BPF_FIB_LOOKUP_SRC : 0);
}

/* The source address the FIB chose, as the kernel filled it in. */
static __always_inline void fib_source(struct xdplb_addr *source, const struct bpf_fib_lookup *fib)
{
	__builtin_memset(source, 0, sizeof(*source));
	if (fib->family == AF_INET)
		source->words[0] = fib->ipv4_src;
	else
		__builtin_memcpy(source->words, fib->ipv6_src, sizeof(source->words));
}

/* A packet must leave with a TTL or hop limit of at least 1, as from any router. */
static __always_inline bool hops_left(const struct packet *pkt, const bool ipv4)
{
	return ipv4 ? pkt->ip->ttl > 1 : pkt->ip6->hop_limit > 1;
}

static __always_inline void take_one_hop(struct packet *pkt, const bool ipv4)
{
	if (!ipv4) {
		pkt->ip6->hop_limit -= 1;
		return;
	}
	/* TTL is the high byte of its 16-bit word with protocol. */
	struct iphdr *ip = pkt->ip;
	__u32 diff = csum_diff16(0, bpf_htons((__u16)ip->ttl << 8),
				 bpf_htons((__u16)(ip->ttl - 1) << 8));

	ip->ttl -= 1;
	ip->check = csum_apply(ip->check, diff);
}

/* Hands the frame to a next hop, through an interface of lbd's. */
static __always_inline int redirect_to(struct packet *pkt, const __u8 *dst_mac, const __u8 *src_mac,
				       __u32 ifindex)
{
	__builtin_memcpy(pkt->eth->h_dest, dst_mac, ETH_ALEN);
	__builtin_memcpy(pkt->eth->h_source, src_mac, ETH_ALEN);
	return bpf_redirect_map(&tx_ports, ifindex, XDP_DROP);
}

static __always_inline int redirect_to_next_hop(struct packet *pkt, const struct bpf_fib_lookup *fib)
{
	return redirect_to(pkt, fib->dmac, fib->smac, fib->ifindex);
}

/*
 * Whether the FIB's answer is a next hop to redirect to: -1 if so, else the
 * reason to hand the packet, its tuple already rewritten, to the kernel, which
 * resolves a missing neighbour or route and forwards it.
 */
static __always_inline int pass_reason_of(const struct bpf_fib_lookup *fib, int fib_result)
{
	if (fib_result == BPF_FIB_LKUP_RET_NO_NEIGH)
		return XDPLB_PASS_NO_NEIGH;
	if (fib_result == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return XDPLB_PASS_FRAG_NEEDED;
	if (fib_result != BPF_FIB_LKUP_RET_SUCCESS)
		return XDPLB_PASS_NO_ROUTE;

	__u32 egress = fib->ifindex;

	if (!bpf_map_lookup_elem(&tx_ports, &egress))
		return XDPLB_PASS_EGRESS_NOT_ATTACHED;
	return -1;
}

/* Sends a routed packet whose tuple is already rewritten, given the FIB's
 * answer for its new destination. */
static __always_inline int transmit(struct packet *pkt, const struct bpf_fib_lookup *fib,
				    int fib_result, const bool ipv4)
{
	int pass_reason = pass_reason_of(fib, fib_result);

	if (pass_reason >= 0)
		return leave(pkt, XDP_PASS, pass_reason);
	take_one_hop(pkt, ipv4);
	return redirect_to_next_hop(pkt, fib);
}

#endif
