// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdplb data plane: one pass per packet, IPv4 and IPv6 alike.
 *
 *   tracked flow  -> rewrite to the entry's tuple, forward
 *   new flow to a farm -> admit its source, choose a backend by the farm's
 *                         scheduler (or its persistence), record both
 *                         directions as half-open, rewrite, forward (DSR:
 *                         record one, only the MACs change)
 *   ICMP          -> echo to a VIP answered, errors about tracked flows
 *                    translated (lib/icmp.h)
 *   fragment to a VIP -> dropped (lib/vip.h)
 *   anything else -> XDP_PASS, untouched
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "lib/conntrack.h"
#include "lib/counters.h"
#include "lib/dsr.h"
#include "lib/forward.h"
#include "lib/icmp.h"
#include "lib/maps.h"
#include "lib/nat.h"
#include "lib/next_hop.h"
#include "lib/parse.h"
#include "lib/persistence.h"
#include "lib/protection.h"
#include "lib/select.h"
#include "lib/trace.h"
#include "lib/vip.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __always_inline int forward_with_flow(struct packet *pkt, const struct xdplb_flow *flow,
					     int pass_reason, bool new_connection, const bool ipv4)
{
	note_forwarded(pkt, flow, new_connection);
	rewrite_tuple(pkt, flow, ipv4);
	count_flow_packet(flow, pkt->frame_bytes, new_connection);
	return send_by_next_hop(pkt, &flow->next_hop, pass_reason, ipv4);
}

static __always_inline int forward_tracked(struct xdp_md *ctx, struct packet *pkt,
					   struct xdplb_flow *flow, struct scratch *scratch,
					   const bool ipv4)
{
	if (flow->direction == XDPLB_DIR_DSR) {
		note_closing(flow, pkt);
		return forward_dsr(ctx, pkt, flow, &scratch->fib, ipv4);
	}
	if (!hops_left(pkt, ipv4))
		return leave(pkt, XDP_DROP, XDPLB_DROP_TTL_EXCEEDED);
	note_closing(flow, pkt);

	int pass_reason = find_next_hop(ctx, &scratch->fib, pkt, flow, ipv4);

	return forward_with_flow(pkt, flow, pass_reason, false, ipv4);
}

/* The forward entry of a new connection: the client's tuple toward the backend. */
static __always_inline void forward_flow_of(struct xdplb_flow *flow, const struct packet *pkt,
					    const struct xdplb_farm *farm, __u32 backend_id,
					    const struct xdplb_backend *backend, __u64 now,
					    __u32 jiffies)
{
	__builtin_memset(flow, 0, sizeof(*flow));
	flow->last_seen_ns = now;
	flow->checked_jiffies = jiffies;
	flow->new_src = pkt->key.src;
	flow->new_sport = pkt->key.sport;
	flow->new_dst = backend->addr;
	flow->new_dport = backend->port ? backend->port : pkt->key.dport;
	flow->backend_id = backend_id;
	flow->farm_id = farm->farm_id;
	flow->direction = XDPLB_DIR_TO_BACKEND;
}

/*
 * Records both directions of a new connection, as half-open. SNAT takes its
 * source address from the farm or, by default, from the route toward the
 * backend, and claims a port; DNAT only has to make sure the backend-side tuple
 * is free.
 * Returns a reason to drop, or -1 when the entries are in place.
 */
static __always_inline int record_connection(struct packet *pkt, const struct xdplb_farm *farm,
					     struct xdplb_flow *flow,
					     const struct bpf_fib_lookup *fib,
					     const struct xdplb_settings *config)
{
	if (farm->mode == XDPLB_MODE_SNAT) {
		fib_source(&flow->new_src, fib);
		if (farm->snat_addr_count == 0 && address_is_zero(&flow->new_src))
			return XDPLB_DROP_NO_SNAT_ADDR;
		if (claim_snat_port(&pkt->key, flow, farm, config) != 0)
			return XDPLB_DROP_SNAT_EXHAUSTED;
	} else if (claim_reply_tuple(&pkt->key, flow, config) != 0) {
		return XDPLB_DROP_NAT_COLLISION;
	}
	if (bpf_map_update_elem(&conntrack_halfopen, &pkt->key, flow, BPF_NOEXIST) != 0) {
		delete_reply_entry(&pkt->key, flow);
		return XDPLB_DROP_CONNTRACK_INSERT;
	}
	return -1;
}

/* A racing CPU may have recorded the same connection first (as half-open,
 * which it stays until the client answers): follow it. Otherwise the packet
 * is dropped for `reason`. With a hash scheduler or persistence the racer also
 * chose the same backend, so in DNAT its reply tuple collides with ours. */
static __always_inline int follow_racing_entry(struct xdp_md *ctx, struct packet *pkt,
					       struct scratch *scratch, __u32 reason,
					       const bool ipv4)
{
	struct xdplb_flow *existing = bpf_map_lookup_elem(&conntrack_halfopen, &pkt->key);

	if (existing)
		return forward_tracked(ctx, pkt, existing, scratch, ipv4);
	return leave(pkt, XDP_DROP, reason);
}

/* A new DSR connection: one entry, only the MACs change (see lib/dsr.h). */
static __always_inline int open_dsr_connection(struct xdp_md *ctx, struct packet *pkt,
					       struct scratch *scratch, bool remember,
					       const bool ipv4)
{
	struct xdplb_flow *flow = &scratch->new_flow;
	int drop_reason = dsr_route(ctx, &scratch->fib, pkt, flow, ipv4);

	if (drop_reason >= 0)
		return leave(pkt, XDP_DROP, drop_reason);
	keep_next_hop(&flow->next_hop, &scratch->fib, pkt);
	flow->direction = XDPLB_DIR_DSR;
	/* The balancer never sees a reply: once confirmed (by the client's next
	 * packet), the entry lives by its protocol's timeout, not by the short
	 * one of unanswered connections. */
	flow->replied = 1;
	if (bpf_map_update_elem(&conntrack_halfopen, &pkt->key, flow, BPF_NOEXIST) != 0)
		return follow_racing_entry(ctx, pkt, scratch, XDPLB_DROP_CONNTRACK_INSERT, ipv4);
	if (remember)
		remember_backend(scratch, flow->backend_id, flow->last_seen_ns);
	return send_dsr(pkt, flow, true);
}

static __always_inline int open_connection(struct xdp_md *ctx, struct packet *pkt,
					   struct scratch *scratch,
					   const struct xdplb_settings *config, __u32 jiffies,
					   const bool ipv4)
{
	struct xdplb_farm_key farm_key = {
		.vip = pkt->key.dst,
		.port = pkt->key.dport,
		.proto = pkt->key.proto,
		.family = pkt->key.family,
	};
	struct xdplb_farm *farm = bpf_map_lookup_elem(&farms, &farm_key);

	if (!farm)
		return leave(pkt, XDP_PASS, XDPLB_PASS_NO_FARM);
	pkt->farm_id = farm->farm_id;
	if (pkt->key.proto == IPPROTO_TCP && !pkt->tcp_syn)
		return leave(pkt, XDP_PASS, XDPLB_PASS_TCP_NOT_SYN);
	/* DSR switches the frame to the backend: no hop is taken. */
	if (farm->mode != XDPLB_MODE_DSR && !hops_left(pkt, ipv4))
		return leave(pkt, XDP_DROP, XDPLB_DROP_TTL_EXCEEDED);

	int refusal = refusal_of(farm, pkt, ipv4);

	if (refusal >= 0)
		return leave(pkt, XDP_DROP, refusal);

	/* A persistent source's live entry comes first; a new choice is remembered. */
	bool persistent = farm->flags & XDPLB_FARM_PERSIST_SRCIP;
	struct xdplb_backend *backend = NULL;
	__u32 backend_id = persistent ? persistent_backend(farm, &pkt->key, scratch, &backend) : 0;
	bool remember = persistent && backend_id == 0;

	if (backend_id == 0) {
		int select_drop = select_backend(farm, &pkt->key, &backend_id, &backend, ipv4);

		if (select_drop >= 0)
			return leave(pkt, XDP_DROP, select_drop);
	}
	pkt->backend_id = backend_id;

	struct xdplb_flow *flow = &scratch->new_flow;
	struct bpf_fib_lookup *fib = &scratch->fib;

	forward_flow_of(flow, pkt, farm, backend_id, backend, bpf_ktime_get_coarse_ns(), jiffies);
	if (farm->mode == XDPLB_MODE_DSR)
		return open_dsr_connection(ctx, pkt, scratch, remember, ipv4);
	bool snat_from_route = farm->mode == XDPLB_MODE_SNAT && farm->snat_addr_count == 0;
	/* The route is asked with the source the packet will leave with: the
	 * pool's first address, or none yet (zero) when the route is to choose it. */
	const struct xdplb_addr *route_source =
		farm->mode == XDPLB_MODE_SNAT ? &farm->snat_addrs[0] : &flow->new_src;
	int fib_result =
		fib_lookup(ctx, fib, pkt, route_source, &flow->new_dst, snat_from_route, ipv4);

	if (fib_result != BPF_FIB_LKUP_RET_SUCCESS && fib_result != BPF_FIB_LKUP_RET_NO_NEIGH)
		return leave(pkt, XDP_PASS, XDPLB_PASS_NO_ROUTE);

	/* The entry starts with the FIB's answer as its next hop. */
	int pass_reason = pass_reason_of(fib, fib_result);

	if (pass_reason < 0)
		keep_next_hop(&flow->next_hop, fib, pkt);

	int drop_reason = record_connection(pkt, farm, flow, fib, config);

	if (drop_reason == XDPLB_DROP_CONNTRACK_INSERT || drop_reason == XDPLB_DROP_NAT_COLLISION)
		return follow_racing_entry(ctx, pkt, scratch, drop_reason, ipv4);
	if (drop_reason >= 0)
		return leave(pkt, XDP_DROP, drop_reason);
	if (remember)
		remember_backend(scratch, flow->backend_id, flow->last_seen_ns);
	return forward_with_flow(pkt, flow, pass_reason, true, ipv4);
}

/*
 * One subprogram for both families: the verifier checks a static subprogram
 * once per call site with the caller's argument values, so each call's
 * constant `ipv4` decides every family branch inside, while the code (and its
 * stack) exists once.
 */
static __noinline int handle_packet(struct xdp_md *ctx, struct packet *pkt,
				    enum parse_result parsed, const bool ipv4)
{
	switch (parsed) {
	case PARSE_OK:
		break;
	case PARSE_NOT_TCP_UDP:
		return leave(pkt, XDP_PASS, XDPLB_PASS_NOT_TCP_UDP);
	case PARSE_FRAGMENT:
		return leave_fragment(pkt, (void *)(long)ctx->data_end, ipv4);
	default:
		return leave(pkt, XDP_PASS, XDPLB_PASS_MALFORMED);
	}

	__u32 zero = 0;
	struct scratch *scratch = bpf_map_lookup_elem(&scratch_space, &zero);
	struct xdplb_settings *config = current_settings();

	if (!scratch || !config)
		return XDP_PASS; /* cannot happen: one-slot arrays always have their slot */

	__u32 jiffies = jiffies_now();
	struct xdplb_flow *flow = tracked_flow(pkt, config, jiffies);

	if (flow)
		return forward_tracked(ctx, pkt, flow, scratch, ipv4);
	return open_connection(ctx, pkt, scratch, config, jiffies, ipv4);
}

/* ICMP takes its own subprogram, called from here rather than from
 * handle_packet, so that its stack frame never adds to handle_packet's in the
 * 512 bytes of the call chain. */
static __always_inline int dispatch(struct xdp_md *ctx, struct packet *pkt,
				    enum parse_result parsed, const bool ipv4)
{
	if (parsed == PARSE_ICMP)
		return handle_icmp(ctx, pkt, ipv4);
	return handle_packet(ctx, pkt, parsed, ipv4);
}

static __always_inline int decide(struct xdp_md *ctx, struct packet *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return leave(pkt, XDP_PASS, XDPLB_PASS_MALFORMED);
	pkt->eth = eth;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return dispatch(ctx, pkt, parse_ipv4(pkt, (void *)(eth + 1), data_end), true);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return dispatch(ctx, pkt, parse_ipv6(pkt, (void *)(eth + 1), data_end), false);
	return leave(pkt, XDP_PASS, XDPLB_PASS_NOT_IP);
}

SEC("xdp")
int xdplb_main(struct xdp_md *ctx)
{
	struct packet pkt = {};

	return traced(ctx, &pkt, decide(ctx, &pkt));
}
