/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Weighted backend selection for a new connection: O(1) and exact to the weights. */
#ifndef XDPLB_SELECT_H
#define XDPLB_SELECT_H

#include "maps.h"

/* Maps a 32-bit random number onto [0, range) without a division. */
static __always_inline __u32 scale_random(__u32 random, __u32 range)
{
	return (__u32)(((__u64)random * range) >> 32);
}

/* Returns the chosen backend id, or 0 when the farm takes no new connections. */
static __always_inline __u32 select_backend(__u32 farm_id)
{
	struct xdplb_select_table *table = bpf_map_lookup_elem(&select_tables, &farm_id);

	if (!table || table->slot_count == 0)
		return 0;

	__u32 slot_index = scale_random(bpf_get_prandom_u32(), table->slot_count);

	if (slot_index >= XDPLB_MAX_FARM_BACKENDS)
		return 0;

	struct xdplb_select_slot *slot = &table->slots[slot_index];

	return bpf_get_prandom_u32() < slot->keep_threshold ? slot->backend_id
							     : slot->alias_backend_id;
}

#endif
