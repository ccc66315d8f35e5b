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

struct room_search {
	const struct xdplb_select_table *table;
	__u32 start;      /* the slot to look at first */
	__u32 backend_id; /* the one found, or 0 */
};

/* One slot of the search below; returning 1 ends it. */
static long try_slot_with_room(__u32 index, void *data)
{
	struct room_search *search = data;
	__u32 slot = search->start + index;

	if (slot >= search->table->slot_count)
		slot -= search->table->slot_count;
	/* slot < slot_count <= XDPLB_MAX_FARM_BACKENDS already (the loop runs
	 * slot_count times); this is the form of that bound the verifier follows. */
	if (slot >= XDPLB_MAX_FARM_BACKENDS)
		return 1;

	__u32 id = search->table->slots[slot].backend_id;
	struct xdplb_backend *backend = bpf_map_lookup_elem(&backends, &id);

	if (!backend || !has_room(id, backend))
		return 0;
	search->backend_id = id;
	return 1;
}

/* A serving backend that is not full, looked for in slot order from a slot
 * chosen by `spread`; 0 when every one is full. bpf_loop spares the verifier
 * from walking every slot. */
static __always_inline __u32 backend_with_room(__u32 farm_id, __u32 spread)
{
	struct room_search search = {};

	search.table = bpf_map_lookup_elem(&select_tables, &farm_id);
	if (!search.table)
		return 0;
	search.start = scale_random(spread, search.table->slot_count);
	bpf_loop(search.table->slot_count, try_slot_with_room, &search, 0);
	return search.backend_id;
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
	/* Every choice was full: any serving backend with room will do; a hashed
	 * key keeps going to the same one. */
	__u32 spread = farm->scheduler == XDPLB_SCHED_HASH
			       ? connection_hash(key, farm->hash_key, XDPLB_SELECT_ATTEMPTS, ipv4)
			       : bpf_get_prandom_u32();
	__u32 id = backend_with_room(farm->farm_id, spread);
	struct xdplb_backend *candidate = bpf_map_lookup_elem(&backends, &id);

	if (id == 0 || !candidate)
		return XDPLB_DROP_BACKENDS_FULL;
	*backend_id = id;
	*backend = candidate;
	return -1;
}

#endif
