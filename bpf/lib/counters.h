/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-CPU counters: the only bookkeeping the per-packet path does. */
#ifndef XDPLB_COUNTERS_H
#define XDPLB_COUNTERS_H

#include <stdbool.h>
#include "maps.h"
#include "parse.h"

/* Counts why a packet left the fast path, notes it for a trace and returns
 * the verdict, so call sites read as
 * `return leave(pkt, XDP_PASS, XDPLB_PASS_NO_FARM);`. */
static __always_inline void count_reason(__u32 reason)
{
	__u64 *count = bpf_map_lookup_elem(&reason_counters, &reason);

	if (count)
		*count += 1;
}

static __always_inline int leave(struct packet *pkt, int verdict, __u32 reason)
{
	pkt->reason = reason;
	count_reason(reason);
	return verdict;
}

static __always_inline void count_traffic(struct xdplb_stats *stats, __u8 direction,
					  __u64 bytes)
{
	struct xdplb_traffic *traffic =
		direction == XDPLB_DIR_TO_CLIENT ? &stats->to_client : &stats->to_backend;

	traffic->packets += 1;
	traffic->bytes += bytes;
}

static __always_inline void count_flow_packet(const struct xdplb_flow *flow, __u64 bytes,
					      bool new_connection)
{
	struct xdplb_stats *farm = bpf_map_lookup_elem(&farm_stats, &flow->farm_id);
	struct xdplb_stats *backend = bpf_map_lookup_elem(&backend_stats, &flow->backend_id);

	if (farm) {
		count_traffic(farm, flow->direction, bytes);
		farm->connections += new_connection;
	}
	if (backend) {
		count_traffic(backend, flow->direction, bytes);
		backend->connections += new_connection;
	}
}

#endif
