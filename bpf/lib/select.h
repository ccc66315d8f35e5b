/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Backend selection for a new connection, by the farm's scheduler: weighted
 * random (exact, O(1)), weighted round robin, or weighted consistent hashing.
 * A backend at its connection cap gives way to the scheduler's next choice.
 */
#ifndef XDPLB_SELECT_H
#define XDPLB_SELECT_H

#include <stdbool.h>
#include "backend_load.h"
#include "maglev.h"
#include "maps.h"
#include "random.h"
#include "round_robin.h"

/* Draws from the farm's alias table; returns 0 when the farm takes no new connections. */
static __always_inline __u32 weighted_random_backend(__u32 farm_id)
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

/* The scheduler's choice for this attempt (0, 1, ...): a new draw, the next
 * turn, or the key's hash with another seed. 0 when no backend serves. */
static __always_inline __u32 scheduled_backend(const struct xdplb_farm *farm,
					       const struct xdplb_flow_key *key, __u32 attempt,
					       const bool ipv4)
{
	if (farm->scheduler == XDPLB_SCHED_RR)
		return round_robin_backend(farm->farm_id);
	if (farm->scheduler == XDPLB_SCHED_HASH)
		return maglev_backend(farm->farm_id,
				      connection_hash(key, farm->hash_key, attempt, ipv4));
	return weighted_random_backend(farm->farm_id);
}

/*
 * Chooses the backend of a new connection into *backend_id and *backend.
 * Returns a reason to drop, or -1 when a backend was chosen.
 */
static __always_inline int select_backend(const struct xdplb_farm *farm,
					  const struct xdplb_flow_key *key, __u32 *backend_id,
					  struct xdplb_backend **backend, const bool ipv4)
{
	for (__u32 attempt = 0; attempt < XDPLB_SELECT_ATTEMPTS; attempt++) {
		__u32 id = scheduled_backend(farm, key, attempt, ipv4);
		struct xdplb_backend *candidate = bpf_map_lookup_elem(&backends, &id);

		if (id == 0 || !candidate)
			return XDPLB_DROP_NO_BACKEND;
		if (has_room(id, candidate)) {
			*backend_id = id;
			*backend = candidate;
			return -1;
		}
	}
	return XDPLB_DROP_BACKENDS_FULL;
}

#endif
