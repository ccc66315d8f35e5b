/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Direct server return. Each backend holds the VIP on its loopback and answers
 * the client itself, so the balancer sees one direction of a connection only:
 * one entry (XDPLB_DIR_DSR), no opposite, and packets that leave exactly as
 * they came but for their Ethernet addresses. The frame is switched to the
 * backend, not routed (no TTL change, no checksum), so the backend must be a
 * neighbour on a link of one of lbd's interfaces.
 *
 * A packet that cannot reach its backend that way is dropped and counted: the
 * stack could not forward it either, since it is addressed to the VIP, which
 * the balancer usually holds itself and would answer with a reset.
 */
#ifndef XDPLB_DSR_H
#define XDPLB_DSR_H

#include "counters.h"
#include "forward.h"
#include "maps.h"
#include "next_hop.h"
#include "parse.h"
#include "trace.h"

/* Whether the FIB's next hop is the backend itself: for a route through a
 * gateway, the kernel puts the gateway's address in place of the destination. */
static __always_inline bool next_hop_is(const struct bpf_fib_lookup *fib,
					const struct xdplb_addr *backend, const bool ipv4)
{
	if (ipv4)
		return fib->ipv4_dst == backend->words[0];
	return ((fib->ipv6_dst[0] ^ backend->words[0]) | (fib->ipv6_dst[1] ^ backend->words[1]) |
		(fib->ipv6_dst[2] ^ backend->words[2]) | (fib->ipv6_dst[3] ^ backend->words[3])) == 0;
}

/* Asks the FIB for the way to the backend of `flow` (its new_dst). Returns why
 * the packet must be dropped, or -1 when `fib` holds the backend's MAC address
 * and an egress interface of lbd's. */
static __always_inline int dsr_route(struct xdp_md *ctx, struct bpf_fib_lookup *fib,
				     const struct packet *pkt, const struct xdplb_flow *flow,
				     const bool ipv4)
{
	int fib_result = fib_lookup(ctx, fib, pkt, &flow->new_src, &flow->new_dst, false, ipv4);
	bool routed = fib_result == BPF_FIB_LKUP_RET_SUCCESS || fib_result == BPF_FIB_LKUP_RET_NO_NEIGH;
	__u32 egress = fib->ifindex;

	if (fib_result == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return XDPLB_DROP_DSR_TOO_BIG;
	if (!routed || !next_hop_is(fib, &flow->new_dst, ipv4) ||
	    !bpf_map_lookup_elem(&tx_ports, &egress))
		return XDPLB_DROP_DSR_NOT_ON_LINK;
	if (fib_result == BPF_FIB_LKUP_RET_NO_NEIGH)
		return XDPLB_DROP_DSR_NO_NEIGH;
	return -1;
}

/* Sends a DSR packet by its entry's kept next hop: only the MACs change. */
static __always_inline int send_dsr(struct packet *pkt, const struct xdplb_flow *flow,
				    bool new_connection)
{
	note_forwarded(pkt, flow, new_connection);
	count_flow_packet(flow, pkt->frame_bytes, new_connection);
	return redirect_to_kept(pkt, &flow->next_hop);
}

static __always_inline int forward_dsr(struct xdp_md *ctx, struct packet *pkt,
				       struct xdplb_flow *flow, struct bpf_fib_lookup *fib,
				       const bool ipv4)
{
	if (!next_hop_usable(&flow->next_hop, pkt)) {
		int drop_reason = dsr_route(ctx, fib, pkt, flow, ipv4);

		if (drop_reason >= 0)
			return leave(pkt, XDP_DROP, drop_reason);
		keep_next_hop(&flow->next_hop, fib, pkt);
	}
	return send_dsr(pkt, flow, false);
}

#endif
