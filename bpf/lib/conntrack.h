/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The connection table: a new connection gets two entries, one per direction,
 * each keyed by the tuple its packets arrive with and holding the tuple to
 * rewrite them to. The two are mirror images: the key of one entry's
 * opposite is its own rewrite, reversed.
 * A DSR connection has one entry only (XDPLB_DIR_DSR): its replies bypass the
 * balancer.
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

/* A clock ahead of `now` (refreshed meanwhile by another CPU) is fresh. */
static __always_inline bool flow_is_stale(const struct xdplb_flow *flow, __u8 proto, __u64 now,
					  const struct xdplb_settings *config)
{
	__u32 timeout_s = flow->closing == XDPLB_FIN_FROM_BACKEND ? config->tcp_time_wait_timeout_s
			  : flow->closing != XDPLB_OPEN		     ? config->tcp_close_timeout_s
			  : !flow->replied			     ? config->unanswered_timeout_s
			  : proto == IPPROTO_UDP		     ? config->udp_timeout_s
								     : config->tcp_timeout_s;

	return now >= flow->last_seen_ns && now - flow->last_seen_ns >= (__u64)timeout_s * NS_PER_SEC;
}

static __always_inline bool same_address(const struct xdplb_addr *a, const struct xdplb_addr *b)
{
	return ((a->words[0] ^ b->words[0]) | (a->words[1] ^ b->words[1]) |
		(a->words[2] ^ b->words[2]) | (a->words[3] ^ b->words[3])) == 0;
}

/* Whether `opposite` is the other half of the connection whose entry is keyed
 * by `key`: its rewrite must be that key reversed. An LRU table can evict one
 * half alone, and a new connection can then take the evicted half's tuple. */
static __always_inline bool mirrors(const struct xdplb_flow *opposite,
				    const struct xdplb_flow_key *key)
{
	return same_address(&opposite->new_src, &key->dst) &&
	       same_address(&opposite->new_dst, &key->src) && opposite->new_sport == key->dport &&
	       opposite->new_dport == key->sport;
}

/* The other direction's entry, if it still belongs to the same connection. */
static __always_inline struct xdplb_flow *opposite_of(const struct xdplb_flow_key *key,
						      const struct xdplb_flow *flow,
						      struct xdplb_flow_key *opposite_key)
{
	opposite_key_of(opposite_key, flow, key);
	struct xdplb_flow *opposite = bpf_map_lookup_elem(&conntrack, opposite_key);

	return opposite && mirrors(opposite, key) ? opposite : NULL;
}

/* Removes the entries of the connection that `flow` (keyed by `key`) belongs
 * to; an opposite entry that belongs to another connection stays. */
static __always_inline void forget_connection(const struct xdplb_flow_key *key,
					      const struct xdplb_flow *flow)
{
	struct xdplb_flow_key opposite_key;

	if (opposite_of(key, flow, &opposite_key))
		bpf_map_delete_elem(&conntrack, &opposite_key);
	bpf_map_delete_elem(&conntrack, key);
}

/*
 * Whether a tracked entry may carry this packet. It may not when it is stale,
 * when a SYN reuses the tuple of a closed connection, or when its other half is
 * gone; it is then forgotten and the packet treated as new. The other half is
 * checked, and both clocks refreshed, at most once a second and at the first
 * reply: that keeps a one-way stream's silent half alive (and warm in the LRU)
 * without a lookup per packet.
 */
static __always_inline bool flow_is_usable(const struct xdplb_flow_key *key,
					   struct xdplb_flow *flow, const struct packet *pkt,
					   const struct xdplb_settings *config)
{
	__u64 now = bpf_ktime_get_coarse_ns();

	if (flow_is_stale(flow, key->proto, now, config) || (pkt->tcp_syn && flow->closing)) {
		forget_connection(key, flow);
		return false;
	}
	bool first_reply = flow->direction == XDPLB_DIR_TO_CLIENT && !flow->replied;

	if (now - flow->last_seen_ns <= NS_PER_SEC && !first_reply)
		return true;
	if (flow->direction == XDPLB_DIR_DSR) {
		/* Replies go from the backend straight to the client: no opposite. */
		flow->last_seen_ns = now;
		return true;
	}

	struct xdplb_flow_key opposite_key;
	struct xdplb_flow *opposite = opposite_of(key, flow, &opposite_key);

	if (!opposite) {
		bpf_map_delete_elem(&conntrack, key);
		return false;
	}
	flow->last_seen_ns = now;
	opposite->last_seen_ns = now;
	if (first_reply) {
		flow->replied = 1;
		opposite->replied = 1;
	}
	return true;
}

/* What this packet makes of its connection's closing state. */
static __always_inline __u8 closing_after(const struct xdplb_flow *flow, const struct packet *pkt)
{
	if (pkt->tcp_rst)
		return XDPLB_RESET;
	if (pkt->tcp_fin && flow->closing == XDPLB_OPEN)
		return flow->direction == XDPLB_DIR_TO_CLIENT ? XDPLB_FIN_FROM_BACKEND
							      : XDPLB_FIN_FROM_CLIENT;
	return flow->closing;
}

/* Keeps the closing state in both directions, whichever side sends the FIN or RST. */
static __always_inline void note_closing(struct xdplb_flow *flow, const struct packet *pkt)
{
	__u8 closing = closing_after(flow, pkt);

	if (closing == flow->closing)
		return;

	struct xdplb_flow_key opposite_key;
	struct xdplb_flow *opposite = opposite_of(&pkt->key, flow, &opposite_key);

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
