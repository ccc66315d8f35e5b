/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The connection table: a new connection gets two entries, one per direction,
 * each keyed by the tuple its packets arrive with and holding the tuple to
 * rewrite them to. The two are mirror images: the key of one entry's
 * opposite is its own rewrite, reversed.
 * A DSR connection has one entry only (XDPLB_DIR_DSR): its replies bypass the
 * balancer.
 *
 * A connection starts in conntrack_halfopen and moves to conntrack once it is
 * confirmed (see confirms()), so that a flood of connections that are never
 * confirmed, spoofed SYNs above all, evicts only its own kind from a full
 * table, never an established connection. Both halves of a connection are
 * always in the same table, and a key is in at most one of them. Established
 * packets cost one lookup; half-open ones a second.
 *
 * Entries are inserted with BPF_NOEXIST, so that two CPUs racing on the same
 * new flow, or two flows wanting the same backend-side tuple, never overwrite
 * one another. An entry idle past its timeout is stale; its tuple may then be
 * reclaimed by a new connection.
 */
#ifndef XDPLB_CONNTRACK_H
#define XDPLB_CONNTRACK_H

#include "clock.h"
#include "counters.h"
#include "maps.h"
#include "parse.h"
#include "select.h"

static __always_inline struct xdplb_settings *current_settings(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&settings, &zero);
}

/* Every caller passes a constant, so each map access names one map. */
static __always_inline void *table_of(bool half_open)
{
	return half_open ? (void *)&conntrack_halfopen : (void *)&conntrack;
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

/* The farm's own timeout where it has one, else lbd's default. */
#define TIMEOUT_S(own, field, default_s) ((own) && (own)->field ? (own)->field : (default_s))

/* An entry not confirmed yet is held only as long as an unanswered one. */
static __always_inline __u32 timeout_s_of(const struct xdplb_flow *flow, __u8 proto, bool half_open,
					  const struct xdplb_settings *config)
{
	const struct xdplb_timeouts *own = bpf_map_lookup_elem(&farm_timeouts, &flow->farm_id);

	if (flow->closing == XDPLB_FIN_FROM_BACKEND)
		return TIMEOUT_S(own, tcp_time_wait_s, config->tcp_time_wait_timeout_s);
	if (flow->closing != XDPLB_OPEN)
		return TIMEOUT_S(own, tcp_close_s, config->tcp_close_timeout_s);
	if (half_open || !flow->replied)
		return TIMEOUT_S(own, unanswered_s, config->unanswered_timeout_s);
	if (proto == IPPROTO_UDP)
		return TIMEOUT_S(own, udp_s, config->udp_timeout_s);
	return TIMEOUT_S(own, tcp_s, config->tcp_timeout_s);
}

/* A clock ahead of `now` (refreshed meanwhile by another CPU) is fresh. */
static __always_inline bool flow_is_stale(const struct xdplb_flow *flow, __u8 proto, __u64 now,
					  bool half_open, const struct xdplb_settings *config)
{
	__u32 timeout_s = timeout_s_of(flow, proto, half_open, config);

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

/* The other direction's entry in the same table, if it still belongs to the
 * same connection. */
static __always_inline struct xdplb_flow *opposite_of(bool half_open,
						      const struct xdplb_flow_key *key,
						      const struct xdplb_flow *flow,
						      struct xdplb_flow_key *opposite_key)
{
	opposite_key_of(opposite_key, flow, key);
	struct xdplb_flow *opposite = bpf_map_lookup_elem(table_of(half_open), opposite_key);

	return opposite && mirrors(opposite, key) ? opposite : NULL;
}

/* Removes the entries of the connection that `flow` (keyed by `key`) belongs
 * to; an opposite entry that belongs to another connection stays. */
static __always_inline void forget_connection(bool half_open, const struct xdplb_flow_key *key,
					      const struct xdplb_flow *flow)
{
	struct xdplb_flow_key opposite_key;

	if (opposite_of(half_open, key, flow, &opposite_key))
		bpf_map_delete_elem(table_of(half_open), &opposite_key);
	bpf_map_delete_elem(table_of(half_open), key);
}

/* The entry passed its check: the next one is due in a second, and the FIB is
 * asked afresh for its next packet, since routes, neighbours and MTUs change. */
static __always_inline void mark_checked(struct xdplb_flow *flow, __u32 jiffies)
{
	flow->checked_jiffies = jiffies;
	flow->next_hop.max_l3_bytes = 0;
}

/*
 * Whether a tracked entry may carry this packet. It may not when it is stale,
 * when a SYN reuses the tuple of a closed connection, or when its other half is
 * gone; it is then forgotten and the packet treated as new. Each entry checks
 * its staleness and its other half, refreshes both halves' clocks and drops
 * its kept next hop at most once a second, and at the first reply: no timeout
 * is shorter than a second (lbd and the farm options refuse less), and a
 * one-way stream's silent half is kept alive (and warm in the LRU) without a
 * lookup per packet.
 */
static __always_inline bool flow_is_usable(bool half_open, const struct xdplb_flow_key *key,
					   struct xdplb_flow *flow, const struct packet *pkt,
					   const struct xdplb_settings *config, __u32 jiffies)
{
	bool first_reply = flow->direction == XDPLB_DIR_TO_CLIENT && !flow->replied;
	bool syn_on_closed = pkt->tcp_syn && flow->closing;

	if (jiffies - flow->checked_jiffies < jiffies_per_second() && !first_reply &&
	    !syn_on_closed)
		return true;

	__u64 now = bpf_ktime_get_coarse_ns();

	if (syn_on_closed || flow_is_stale(flow, key->proto, now, half_open, config)) {
		forget_connection(half_open, key, flow);
		return false;
	}
	if (flow->direction == XDPLB_DIR_DSR) {
		/* Replies go from the backend straight to the client: no opposite. */
		flow->last_seen_ns = now;
		mark_checked(flow, jiffies);
		return true;
	}

	struct xdplb_flow_key opposite_key;
	struct xdplb_flow *opposite = opposite_of(half_open, key, flow, &opposite_key);

	if (!opposite) {
		count_reason(XDPLB_NOTE_HALF_EVICTED);
		bpf_map_delete_elem(table_of(half_open), key);
		return false;
	}
	flow->last_seen_ns = now;
	opposite->last_seen_ns = now;
	if (first_reply) {
		flow->replied = 1;
		opposite->replied = 1;
	}
	mark_checked(flow, jiffies);
	return true;
}

/*
 * Whether this packet confirms its half-open connection: in TCP the client's
 * first packet after the backend's answer (the ACK of the handshake), or in
 * DSR, whose answers bypass the balancer, the client's first packet after its
 * SYN; a spoofed source never sees the answer, so it never sends that packet.
 * UDP has no handshake: the client's second datagram confirms it. A backend
 * answers spoofed datagrams too, so its answer does not; a spoofed flood sends
 * one datagram per source, and a one-way stream is not left among the
 * half-open.
 */
static __always_inline bool confirms(const struct xdplb_flow *flow, const struct packet *pkt)
{
	if (pkt->key.proto == IPPROTO_UDP)
		return flow->direction != XDPLB_DIR_TO_CLIENT;
	if (flow->direction == XDPLB_DIR_DSR)
		return !pkt->tcp_syn;
	return flow->direction == XDPLB_DIR_TO_BACKEND && flow->replied && !pkt->tcp_syn;
}

/*
 * Moves a confirmed connection from conntrack_halfopen to conntrack. Each
 * entry is in conntrack before it leaves conntrack_halfopen, so that
 * claim_reply_tuple, which looks at conntrack after claiming a tuple in
 * conntrack_halfopen, never misses a connection on the move. Returns the
 * packet's entry where it now is, or NULL when its other half is gone.
 */
static __always_inline struct xdplb_flow *promote(const struct xdplb_flow_key *key,
						  struct xdplb_flow *flow)
{
	struct xdplb_flow_key opposite_key;
	struct xdplb_flow *opposite = NULL;

	if (flow->direction != XDPLB_DIR_DSR) {
		opposite = opposite_of(true, key, flow, &opposite_key);
		if (!opposite) {
			count_reason(XDPLB_NOTE_HALF_EVICTED);
			bpf_map_delete_elem(&conntrack_halfopen, key);
			return NULL;
		}
	}
	/* Should conntrack refuse (it evicts rather than fill up), the
	 * connection simply stays half-open a little longer. */
	if (bpf_map_update_elem(&conntrack, key, flow, BPF_ANY) != 0)
		return flow;
	if (opposite) {
		if (bpf_map_update_elem(&conntrack, &opposite_key, opposite, BPF_ANY) != 0) {
			bpf_map_delete_elem(&conntrack, key);
			return flow;
		}
		bpf_map_delete_elem(&conntrack_halfopen, &opposite_key);
	}
	bpf_map_delete_elem(&conntrack_halfopen, key);
	count_confirmed_connection(flow->backend_id);
	return bpf_map_lookup_elem(&conntrack, key);
}

/* The entry that carries this packet, if its connection is tracked: an
 * established one first, then a half-open one, confirmed by this packet or not. */
static __always_inline struct xdplb_flow *tracked_flow(const struct packet *pkt,
						       const struct xdplb_settings *config,
						       __u32 jiffies)
{
	struct xdplb_flow *flow = bpf_map_lookup_elem(&conntrack, &pkt->key);

	if (flow)
		return flow_is_usable(false, &pkt->key, flow, pkt, config, jiffies) ? flow : NULL;
	flow = bpf_map_lookup_elem(&conntrack_halfopen, &pkt->key);
	if (!flow || !flow_is_usable(true, &pkt->key, flow, pkt, config, jiffies))
		return NULL;
	return confirms(flow, pkt) ? promote(&pkt->key, flow) : flow;
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

/* Keeps the closing state in both directions, whichever side sends the FIN or
 * RST. The opposite is looked for in both tables: closing is rare enough. */
static __always_inline void note_closing(struct xdplb_flow *flow, const struct packet *pkt)
{
	__u8 closing = closing_after(flow, pkt);

	if (closing == flow->closing)
		return;

	struct xdplb_flow_key opposite_key;
	struct xdplb_flow *opposite = opposite_of(false, &pkt->key, flow, &opposite_key);

	if (!opposite)
		opposite = opposite_of(true, &pkt->key, flow, &opposite_key);
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
 * Whether a live connection in one table holds this backend-side tuple. A
 * stale holder is forgotten: it holds nothing any more. CPUs that find the
 * same stale holder at once race to move its clock on: only the winner
 * forgets it, the others then see it live and try another tuple. So no CPU
 * ever deletes an entry that another one has just inserted under that key.
 */
static __always_inline bool tuple_held(bool half_open, const struct xdplb_flow_key *reply_key,
				       __u64 now, const struct xdplb_settings *config)
{
	struct xdplb_flow *holder = bpf_map_lookup_elem(table_of(half_open), reply_key);

	if (!holder)
		return false;

	__u64 seen = holder->last_seen_ns;

	if (!flow_is_stale(holder, reply_key->proto, now, half_open, config) ||
	    __sync_val_compare_and_swap(&holder->last_seen_ns, seen, now) != seen)
		return true;
	forget_connection(half_open, reply_key, holder);
	return false;
}

/*
 * Inserts the reply entry of a new connection into conntrack_halfopen:
 * succeeds only if no live connection in either table uses the same
 * backend-side tuple. The insert comes first and conntrack is looked at after
 * it: a connection promoted meanwhile is in conntrack by then (see promote()).
 * Returns 0 on success.
 */
static __always_inline int claim_reply_tuple(const struct xdplb_flow_key *client_key,
					     const struct xdplb_flow *forward,
					     const struct xdplb_settings *config)
{
	__u32 zero = 0;
	struct scratch *scratch = bpf_map_lookup_elem(&scratch_space, &zero);
	struct xdplb_flow_key reply_key;
	__u64 now = forward->last_seen_ns;

	if (!scratch)
		return -1; /* cannot happen: a one-slot array always has its slot */

	struct xdplb_flow *reply = &scratch->reply_flow;

	opposite_key_of(&reply_key, forward, client_key);
	reply_flow_of(reply, client_key, forward);
	if (bpf_map_update_elem(&conntrack_halfopen, &reply_key, reply, BPF_NOEXIST) != 0) {
		if (tuple_held(true, &reply_key, now, config) ||
		    bpf_map_update_elem(&conntrack_halfopen, &reply_key, reply, BPF_NOEXIST) != 0)
			return -1;
	}
	if (tuple_held(false, &reply_key, now, config)) {
		bpf_map_delete_elem(&conntrack_halfopen, &reply_key);
		return -1;
	}
	return 0;
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
	bpf_map_delete_elem(&conntrack_halfopen, &reply_key);
}

#endif
