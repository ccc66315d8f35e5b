/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The connection table: a new connection gets two entries, one per direction,
 * each keyed by the tuple its packets arrive with and holding the tuple to
 * rewrite them to. The two are mirror images: the key of one entry's
 * opposite is its own rewrite, reversed.
 *
 * Entries are inserted with BPF_NOEXIST, so that two CPUs racing on the same
 * new flow, or two flows wanting the same backend-side tuple, never overwrite
 * one another. An entry idle past its timeout is stale; its tuple may then be
 * reclaimed by a new connection.
 */
#ifndef XDPLB_CONNTRACK_H
#define XDPLB_CONNTRACK_H

#include "maps.h"
#include "parse.h"
#include "select.h"

#define NS_PER_SEC 1000000000ULL

static __always_inline struct xdplb_settings *current_settings(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&settings, &zero);
}

static __always_inline void opposite_key_of(struct xdplb_flow_key *opposite,
					    const struct xdplb_flow *flow,
					    const struct xdplb_flow_key *key)
{
	__builtin_memset(opposite, 0, sizeof(*opposite));
	opposite->src = flow->new_dst;
	opposite->dst = flow->new_src;
	opposite->sport = flow->new_dport;
	opposite->dport = flow->new_sport;
	opposite->proto = key->proto;
	opposite->family = key->family;
}

static __always_inline bool flow_is_stale(const struct xdplb_flow *flow, __u8 proto, __u64 now,
					  const struct xdplb_settings *config)
{
	__u32 timeout_s = proto == IPPROTO_UDP			     ? config->udp_timeout_s
			  : flow->closing == XDPLB_OPEN		     ? config->tcp_timeout_s
			  : flow->closing == XDPLB_FIN_FROM_BACKEND ? config->tcp_time_wait_timeout_s
								     : config->tcp_close_timeout_s;

	return now - flow->last_seen_ns >= (__u64)timeout_s * NS_PER_SEC;
}

/* Removes both entries of the connection that `flow` (keyed by `key`) belongs to. */
static __always_inline void forget_connection(const struct xdplb_flow_key *key,
					      const struct xdplb_flow *flow)
{
	struct xdplb_flow_key opposite;

	opposite_key_of(&opposite, flow, key);
	bpf_map_delete_elem(&conntrack, &opposite);
	bpf_map_delete_elem(&conntrack, key);
}

/* What this packet makes of its connection's closing state. */
static __always_inline __u8 closing_after(const struct xdplb_flow *flow, const struct packet *pkt)
{
	if (pkt->tcp_rst)
		return XDPLB_RESET;
	if (pkt->tcp_fin && flow->closing == XDPLB_OPEN)
		return flow->direction == XDPLB_DIR_TO_BACKEND ? XDPLB_FIN_FROM_CLIENT
							       : XDPLB_FIN_FROM_BACKEND;
	return flow->closing;
}

/*
 * Keeps an entry's idle clock and closing state current. The clock is written
 * at most once a second so that busy flows do not dirty their cache line on
 * every packet. The closing state is kept in both directions, whichever side
 * sends the FIN or RST.
 */
static __always_inline void refresh_flow(struct xdplb_flow *flow, const struct packet *pkt)
{
	__u64 now = bpf_ktime_get_coarse_ns();

	if (now - flow->last_seen_ns > NS_PER_SEC)
		flow->last_seen_ns = now;

	__u8 closing = closing_after(flow, pkt);

	if (closing == flow->closing)
		return;

	struct xdplb_flow_key opposite_key;

	opposite_key_of(&opposite_key, flow, &pkt->key);
	struct xdplb_flow *opposite = bpf_map_lookup_elem(&conntrack, &opposite_key);

	flow->closing = closing;
	if (opposite)
		opposite->closing = closing;
}

/* The reply entry restores the client's view: from the VIP to the client. */
static __always_inline void reply_flow_of(struct xdplb_flow *reply,
					  const struct xdplb_flow_key *client_key,
					  const struct xdplb_flow *forward)
{
	__builtin_memset(reply, 0, sizeof(*reply));
	reply->new_src = client_key->dst;
	reply->new_dst = client_key->src;
	reply->new_sport = client_key->dport;
	reply->new_dport = client_key->sport;
	reply->backend_id = forward->backend_id;
	reply->farm_id = forward->farm_id;
	reply->direction = XDPLB_DIR_TO_CLIENT;
	reply->last_seen_ns = forward->last_seen_ns;
}

/*
 * Inserts the reply entry of a new connection: succeeds only if no live
 * connection uses the same backend-side tuple. A stale holder is forgotten
 * and the insert tried once more. Returns 0 on success.
 */
static __always_inline int claim_reply_tuple(const struct xdplb_flow_key *client_key,
					     const struct xdplb_flow *forward,
					     const struct xdplb_settings *config)
{
	struct xdplb_flow_key reply_key;
	struct xdplb_flow reply;

	opposite_key_of(&reply_key, forward, client_key);
	reply_flow_of(&reply, client_key, forward);
	if (bpf_map_update_elem(&conntrack, &reply_key, &reply, BPF_NOEXIST) == 0)
		return 0;

	struct xdplb_flow *holder = bpf_map_lookup_elem(&conntrack, &reply_key);

	if (!holder || !flow_is_stale(holder, client_key->proto, forward->last_seen_ns, config))
		return -1;
	forget_connection(&reply_key, holder);
	return bpf_map_update_elem(&conntrack, &reply_key, &reply, BPF_NOEXIST);
}

struct snat_port_search {
	const struct xdplb_flow_key *client_key;
	struct xdplb_flow *forward;
	const struct xdplb_settings *config;
	const struct xdplb_farm *farm;
	__u32 range;
	bool claimed;
};

/* A farm's pool spreads connections over its addresses; without a pool the
 * address the FIB chose is already in place. */
static __always_inline void pick_snat_address(struct snat_port_search *search)
{
	__u32 count = search->farm->snat_addr_count;

	if (count == 0)
		return;
	/* index < count <= XDPLB_MAX_SNAT_ADDRS already; the mask (the maximum is a
	 * power of two) is the form of that bound the verifier follows. */
	__u32 index = scale_random(bpf_get_prandom_u32(), count) & (XDPLB_MAX_SNAT_ADDRS - 1);

	search->forward->new_src = search->farm->snat_addrs[index];
}

_Static_assert((XDPLB_MAX_SNAT_ADDRS & (XDPLB_MAX_SNAT_ADDRS - 1)) == 0,
	       "the SNAT pool size must be a power of two");

/* One attempt of the search below; returning 1 ends it. */
static long try_random_snat_port(__u32 attempt, void *data)
{
	struct snat_port_search *search = data;
	__u16 port = search->config->snat_port_min +
		     scale_random(bpf_get_prandom_u32(), search->range);

	pick_snat_address(search);
	search->forward->new_sport = bpf_htons(port);
	search->claimed =
		claim_reply_tuple(search->client_key, search->forward, search->config) == 0;
	return search->claimed;
}

/*
 * Picks a SNAT address and port: random ones from the farm's pool and the
 * configured range until the backend-side tuple can be claimed, so an address
 * whose ports are taken gives way to the others. bpf_loop keeps the verifier
 * from walking every attempt. Returns 0, or -1 when every attempt failed.
 */
static __always_inline int claim_snat_port(const struct xdplb_flow_key *client_key,
					   struct xdplb_flow *forward,
					   const struct xdplb_farm *farm,
					   const struct xdplb_settings *config)
{
	if (config->snat_port_max < config->snat_port_min)
		return -1;

	struct snat_port_search search = {
		.client_key = client_key,
		.forward = forward,
		.config = config,
		.farm = farm,
		.range = (__u32)config->snat_port_max - config->snat_port_min + 1,
	};

	bpf_loop(XDPLB_SNAT_PORT_ATTEMPTS, try_random_snat_port, &search, 0);
	return search.claimed ? 0 : -1;
}

static __always_inline void delete_reply_entry(const struct xdplb_flow_key *client_key,
					       const struct xdplb_flow *forward)
{
	struct xdplb_flow_key reply_key;

	opposite_key_of(&reply_key, forward, client_key);
	bpf_map_delete_elem(&conntrack, &reply_key);
}

#endif
