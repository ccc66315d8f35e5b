/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Weighted round robin: each CPU takes the next turn of the farm's table. */
#ifndef XDPLB_ROUND_ROBIN_H
#define XDPLB_ROUND_ROBIN_H

#include "maps.h"

_Static_assert((XDPLB_RR_TABLE_SIZE & (XDPLB_RR_TABLE_SIZE - 1)) == 0,
	       "the round robin table size must be a power of two");

/* Returns the backend id whose turn it is, or 0 when the farm has none. */
static __always_inline __u32 round_robin_backend(__u32 farm_id)
{
	struct xdplb_rr_table *table = bpf_map_lookup_elem(&rr_tables, &farm_id);
	__u32 *cursor = bpf_map_lookup_elem(&rr_cursors, &farm_id);

	if (!table || !cursor || table->length == 0)
		return 0;
	/* A table replaced by a shorter one starts over. */
	__u32 turn = *cursor < table->length ? *cursor : 0;

	*cursor = turn + 1;
	return table->backend_ids[turn & (XDPLB_RR_TABLE_SIZE - 1)];
}

#endif
