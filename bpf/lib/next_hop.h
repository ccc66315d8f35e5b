/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A flow's kept next hop. Asking the FIB (bpf_fib_lookup) costs an
 * established packet more than everything else it goes through (about 100 ns
 * for IPv4 and 230 ns for IPv6 on the test machine), and its answer for one
 * destination rarely changes. So each entry keeps the FIB's last answer and
 * uses it for packets no longer than one the FIB let through that way, until
 * the entry's once-a-second check (conntrack.h) sets it aside: a route,
 * neighbour or MTU change reaches established connections within a second.
 *
 * An entry's next hop is written by the CPU that receives its flow (a NIC
 * steers a flow to one queue), and its addresses only when the FIB's answer
 * has changed; a refresh that finds the same way writes one number.
 */
#ifndef XDPLB_NEXT_HOP_H
#define XDPLB_NEXT_HOP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "counters.h"
#include "forward.h"
#include "maps.h"
#include "parse.h"

static __always_inline bool next_hop_usable(const struct xdplb_next_hop *hop,
					    const struct packet *pkt)
{
	return pkt->frame_bytes <= hop->max_l3_bytes;
}

static __always_inline bool same_mac(const __u8 *a, const __u8 *b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4]) |
		(a[5] ^ b[5])) == 0;
}

/*
 * Keeps the FIB's answer, which let this packet through. A new answer bounds
 * packet lengths afresh (the path's MTU may have shrunk); the same one only
 * raises the bound.
 */
static __always_inline void keep_next_hop(struct xdplb_next_hop *hop,
					  const struct bpf_fib_lookup *fib,
					  const struct packet *pkt)
{
	/* An XDP frame without fragments is shorter than a page: 16 bits hold it. */
	__u16 l3_bytes = (__u16)pkt->frame_bytes;
	bool bound_holds = hop->max_l3_bytes != 0;

	if (hop->ifindex != fib->ifindex || !same_mac(hop->dst_mac, fib->dmac) ||
	    !same_mac(hop->src_mac, fib->smac)) {
		/* Unusable while its addresses change. */
		hop->max_l3_bytes = 0;
		barrier();
		__builtin_memcpy(hop->dst_mac, fib->dmac, ETH_ALEN);
		__builtin_memcpy(hop->src_mac, fib->smac, ETH_ALEN);
		hop->ifindex = fib->ifindex;
		barrier();
		bound_holds = false;
	}
	hop->max_l3_bytes = bound_holds && hop->max_l3_bytes > l3_bytes ? hop->max_l3_bytes : l3_bytes;
}

/*
 * The way out for a routed packet of `flow`, once rewritten: the kept next hop
 * while usable, else the FIB's answer, kept when it is one to redirect to.
 * Returns -1 when flow->next_hop holds the way, else the reason to pass the
 * packet to the kernel.
 */
static __always_inline int find_next_hop(struct xdp_md *ctx, struct bpf_fib_lookup *fib,
					 const struct packet *pkt, struct xdplb_flow *flow,
					 const bool ipv4)
{
	if (next_hop_usable(&flow->next_hop, pkt))
		return -1;

	int fib_result = fib_lookup(ctx, fib, pkt, &flow->new_src, &flow->new_dst, false, ipv4);
	int pass_reason = pass_reason_of(fib, fib_result);

	if (pass_reason < 0)
		keep_next_hop(&flow->next_hop, fib, pkt);
	return pass_reason;
}

static __always_inline int redirect_to_kept(struct packet *pkt, const struct xdplb_next_hop *hop)
{
	return redirect_to(pkt, hop->dst_mac, hop->src_mac, hop->ifindex);
}

/* Sends a routed packet whose tuple is already rewritten: by the kept next
 * hop, or to the kernel for `pass_reason`. */
static __always_inline int send_by_next_hop(struct packet *pkt, const struct xdplb_next_hop *hop,
					    int pass_reason, const bool ipv4)
{
	if (pass_reason >= 0)
		return leave(pkt, XDP_PASS, pass_reason);
	take_one_hop(pkt, ipv4);
	return redirect_to_kept(pkt, hop);
}

#endif
