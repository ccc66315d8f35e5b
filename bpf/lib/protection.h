/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Admission of a new connection by its source: the farm's allow and deny
 * lists, then its per-source rate limit. Only new connections pay for this,
 * and only in farms that use it (the farm's flags and rate_limit say so).
 */
#ifndef XDPLB_PROTECTION_H
#define XDPLB_PROTECTION_H

#include "clock.h"
#include "maps.h"
#include "parse.h"

/* Whether the source is in one of the farm's lists: an LPM trie keyed by
 * (farm id, address), looked up with the full length of both. */
static __always_inline bool source_listed(void *list, __u32 farm_id, const struct xdplb_addr *src,
					  const bool ipv4)
{
	struct xdplb_source_prefix_key key = {
		.prefixlen = 32 + (ipv4 ? 32 : 128),
		.farm_id = farm_id,
		.addr = *src,
	};

	return bpf_map_lookup_elem(list, &key) != NULL;
}

static __always_inline bool source_allowed(const struct xdplb_farm *farm, const struct xdplb_addr *src,
					   const bool ipv4)
{
	if ((farm->flags & XDPLB_FARM_DENY_LIST) &&
	    source_listed(&deny_sources, farm->farm_id, src, ipv4))
		return false;
	if ((farm->flags & XDPLB_FARM_ALLOW_LIST) &&
	    !source_listed(&allow_sources, farm->farm_id, src, ipv4))
		return false;
	return true;
}

/*
 * Takes a token from the source's bucket (see struct xdplb_rate_bucket).
 * The read and the write are not atomic: CPUs handling SYNs of one source at
 * the same instant may each take the same token, letting a few more through
 * than the bucket holds. Locking for that is not worth its cost per SYN.
 */
static __always_inline bool within_rate(const struct xdplb_farm *farm, const struct xdplb_addr *src)
{
	if (farm->rate_limit == 0)
		return true;

	struct xdplb_rate_key key = { .farm_id = farm->farm_id, .src = *src };
	__u64 now = bpf_ktime_get_ns();
	__u64 interval = NS_PER_SEC / farm->rate_limit;
	/* How far ahead of now full_again_ns is when the bucket is empty. */
	__u64 bucket_ns = ((__u64)farm->rate_limit + farm->rate_burst) * interval;
	struct xdplb_rate_bucket *bucket = bpf_map_lookup_elem(&rate_buckets, &key);

	if (!bucket) {
		/* A full bucket, less this connection's token. */
		struct xdplb_rate_bucket fresh = { .full_again_ns = now + interval };

		bpf_map_update_elem(&rate_buckets, &key, &fresh, BPF_ANY);
		return true;
	}
	__u64 from = bucket->full_again_ns > now ? bucket->full_again_ns : now;

	if (from + interval - now > bucket_ns)
		return false;
	bucket->full_again_ns = from + interval;
	return true;
}

/* Returns the reason to refuse a new connection from the packet's source, or -1. */
static __always_inline int refusal_of(const struct xdplb_farm *farm, const struct packet *pkt,
				      const bool ipv4)
{
	if (!source_allowed(farm, &pkt->key.src, ipv4))
		return XDPLB_DROP_DENIED_SOURCE;
	if (!within_rate(farm, &pkt->key.src))
		return XDPLB_DROP_RATE_LIMITED;
	return -1;
}

#endif
