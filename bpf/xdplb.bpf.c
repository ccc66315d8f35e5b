// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdplb data plane: one pass per packet.
 *
 *   tracked flow  -> rewrite to the entry's tuple, forward
 *   new flow to a farm -> choose a backend by weight, record both directions,
 *                         rewrite, forward
 *   anything else -> XDP_PASS, untouched
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "lib/conntrack.h"
#include "lib/counters.h"
#include "lib/forward.h"
#include "lib/maps.h"
#include "lib/nat.h"
#include "lib/parse.h"
#include "lib/select.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* A packet must leave with a TTL of at least 1, as from any router. */
static __always_inline bool ttl_allows_forwarding(const struct packet *pkt)
{
	return pkt->ip->ttl > 1;
}

static __always_inline int forward_with_flow(struct xdp_md *ctx, struct packet *pkt,
					     const struct xdplb_flow *flow,
					     const struct bpf_fib_lookup *fib, int fib_result,
					     bool new_connection)
{
	rewrite_tuple(pkt, flow);
	count_flow_packet(flow, pkt->frame_bytes, new_connection);
	return transmit(pkt, fib, fib_result);
}

static __always_inline int forward_tracked(struct xdp_md *ctx, struct packet *pkt,
					   struct xdplb_flow *flow)
{
	struct bpf_fib_lookup fib;

	if (!ttl_allows_forwarding(pkt))
		return leave(XDP_DROP, XDPLB_DROP_TTL_EXCEEDED);
	refresh_flow(flow, pkt);
	int fib_result = fib_lookup_v4(ctx, &fib, pkt, flow->new_src.words[0],
				       flow->new_dst.words[0], false);

	return forward_with_flow(ctx, pkt, flow, &fib, fib_result, false);
}

/* The forward entry of a new connection: the client's tuple toward the backend. */
static __always_inline void forward_flow_of(struct xdplb_flow *flow, const struct packet *pkt,
					    const struct xdplb_farm *farm, __u32 backend_id,
					    const struct xdplb_backend *backend)
{
	__builtin_memset(flow, 0, sizeof(*flow));
	flow->last_seen_ns = bpf_ktime_get_coarse_ns();
	flow->new_src = pkt->key.src;
	flow->new_sport = pkt->key.sport;
	flow->new_dst = backend->addr;
	flow->new_dport = backend->port ? backend->port : pkt->key.dport;
	flow->backend_id = backend_id;
	flow->farm_id = farm->farm_id;
	flow->direction = XDPLB_DIR_TO_BACKEND;
}

/*
 * Records both directions of a new connection. SNAT takes its source address
 * from the farm or, by default, from the route toward the backend, and claims a
 * port; DNAT only has to make sure the backend-side tuple is free.
 * Returns a reason to drop, or -1 when the entries are in place.
 */
static __always_inline int record_connection(struct packet *pkt, const struct xdplb_farm *farm,
					     struct xdplb_flow *flow,
					     const struct bpf_fib_lookup *fib)
{
	struct xdplb_settings *config = current_settings();

	if (!config)
		return XDPLB_DROP_CONNTRACK_INSERT;
	if (farm->mode == XDPLB_MODE_SNAT) {
		if (farm->flags & XDPLB_FARM_F_SNAT_ADDR)
			flow->new_src = farm->snat_addr;
		else
			flow->new_src.words[0] = fib->ipv4_src;
		if (flow->new_src.words[0] == 0)
			return XDPLB_DROP_NO_SNAT_ADDR;
		if (claim_snat_port(&pkt->key, flow, config) != 0)
			return XDPLB_DROP_SNAT_EXHAUSTED;
	} else if (claim_reply_tuple(&pkt->key, flow, config) != 0) {
		return XDPLB_DROP_NAT_COLLISION;
	}
	if (bpf_map_update_elem(&conntrack, &pkt->key, flow, BPF_NOEXIST) != 0) {
		delete_reply_entry(&pkt->key, flow);
		return XDPLB_DROP_CONNTRACK_INSERT;
	}
	return -1;
}

static __always_inline int open_connection(struct xdp_md *ctx, struct packet *pkt)
{
	struct xdplb_farm_key farm_key = {
		.vip = pkt->key.dst,
		.port = pkt->key.dport,
		.proto = pkt->key.proto,
		.family = pkt->key.family,
	};
	struct xdplb_farm *farm = bpf_map_lookup_elem(&farms, &farm_key);

	if (!farm)
		return leave(XDP_PASS, XDPLB_PASS_NO_FARM);
	if (pkt->key.proto == IPPROTO_TCP && !pkt->tcp_syn)
		return leave(XDP_PASS, XDPLB_PASS_TCP_NOT_SYN);
	if (!ttl_allows_forwarding(pkt))
		return leave(XDP_DROP, XDPLB_DROP_TTL_EXCEEDED);

	__u32 backend_id = select_backend(farm->farm_id);
	struct xdplb_backend *backend = bpf_map_lookup_elem(&backends, &backend_id);

	if (backend_id == 0 || !backend)
		return leave(XDP_DROP, XDPLB_DROP_NO_BACKEND);

	struct xdplb_flow flow;
	struct bpf_fib_lookup fib;

	forward_flow_of(&flow, pkt, farm, backend_id, backend);
	bool snat_from_route =
		farm->mode == XDPLB_MODE_SNAT && !(farm->flags & XDPLB_FARM_F_SNAT_ADDR);
	__be32 route_source = farm->mode == XDPLB_MODE_SNAT ? farm->snat_addr.words[0]
							     : flow.new_src.words[0];
	int fib_result = fib_lookup_v4(ctx, &fib, pkt, route_source, flow.new_dst.words[0],
				       snat_from_route);

	if (fib_result != BPF_FIB_LKUP_RET_SUCCESS && fib_result != BPF_FIB_LKUP_RET_NO_NEIGH)
		return leave(XDP_PASS, XDPLB_PASS_NO_ROUTE);

	int drop_reason = record_connection(pkt, farm, &flow, &fib);

	if (drop_reason >= 0) {
		/* A racing CPU may have recorded the same connection first: follow it. */
		struct xdplb_flow *existing = bpf_map_lookup_elem(&conntrack, &pkt->key);

		if (drop_reason == XDPLB_DROP_CONNTRACK_INSERT && existing)
			return forward_tracked(ctx, pkt, existing);
		return leave(XDP_DROP, drop_reason);
	}
	return forward_with_flow(ctx, pkt, &flow, &fib, fib_result, true);
}

SEC("xdp")
int xdplb_main(struct xdp_md *ctx)
{
	struct packet pkt = {};

	switch (parse_packet(ctx, &pkt)) {
	case PARSE_OK:
		break;
	case PARSE_NOT_IPV4:
		return leave(XDP_PASS, XDPLB_PASS_NOT_IPV4);
	case PARSE_NOT_TCP_UDP:
		return leave(XDP_PASS, XDPLB_PASS_NOT_TCP_UDP);
	case PARSE_FRAGMENT:
		return leave(XDP_PASS, XDPLB_PASS_FRAGMENT);
	default:
		return leave(XDP_PASS, XDPLB_PASS_MALFORMED);
	}

	struct xdplb_flow *flow = bpf_map_lookup_elem(&conntrack, &pkt.key);

	if (!flow)
		return open_connection(ctx, &pkt);
	/* A client that reuses the tuple of a closed connection opens a new one. */
	if (pkt.tcp_syn && flow->closing) {
		forget_connection(&pkt.key, flow);
		return open_connection(ctx, &pkt);
	}
	return forward_tracked(ctx, &pkt, flow);
}
