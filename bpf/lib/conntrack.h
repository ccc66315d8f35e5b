/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The connection table: a new connection gets two entries, one per direction,
 * each keyed by the tuple its packets arrive with. Entries are inserted with
 * BPF_NOEXIST so that two CPUs racing on the same new flow, or two flows
 * wanting the same backend-side tuple, can never overwrite one another.
 */
#ifndef XDPLB_CONNTRACK_H
#define XDPLB_CONNTRACK_H

#include "maps.h"
#include "parse.h"
#include "select.h"

/* The tuple with which the other direction's packets will arrive. */
static __always_inline void reply_key_of(struct xdplb_flow_key *reply,
					 const struct xdplb_flow *forward, __u8 proto)
{
	__builtin_memset(reply, 0, sizeof(*reply));
	reply->src = forward->new_dst;
	reply->dst = forward->new_src;
	reply->sport = forward->new_dport;
	reply->dport = forward->new_sport;
	reply->proto = proto;
	reply->family = AF_INET;
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
}

static __always_inline int insert_reply_entry(const struct xdplb_flow_key *client_key,
					      const struct xdplb_flow *forward)
{
	struct xdplb_flow_key reply_key;
	struct xdplb_flow reply;

	reply_key_of(&reply_key, forward, client_key->proto);
	reply_flow_of(&reply, client_key, forward);
	return bpf_map_update_elem(&conntrack, &reply_key, &reply, BPF_NOEXIST);
}

/*
 * Picks a free SNAT port: random ports in the configured range until the
 * backend-side tuple is not taken. The reply entry is inserted as part of the
 * test, so a port is never handed out twice. Returns 0 or -1 when exhausted.
 */
static __always_inline int claim_snat_port(const struct xdplb_flow_key *client_key,
					   struct xdplb_flow *forward)
{
	__u32 zero = 0;
	struct xdplb_settings *config = bpf_map_lookup_elem(&settings, &zero);

	if (!config || config->snat_port_max < config->snat_port_min)
		return -1;

	__u32 range = (__u32)config->snat_port_max - config->snat_port_min + 1;

	for (int attempt = 0; attempt < XDPLB_SNAT_PORT_ATTEMPTS; attempt++) {
		__u16 port = config->snat_port_min + scale_random(bpf_get_prandom_u32(), range);

		forward->new_sport = bpf_htons(port);
		if (insert_reply_entry(client_key, forward) == 0)
			return 0;
	}
	return -1;
}

static __always_inline void delete_reply_entry(const struct xdplb_flow_key *client_key,
					       const struct xdplb_flow *forward)
{
	struct xdplb_flow_key reply_key;

	reply_key_of(&reply_key, forward, client_key->proto);
	bpf_map_delete_elem(&conntrack, &reply_key);
}

#endif
