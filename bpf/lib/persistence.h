/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Source persistence: a farm with XDPLB_FARM_PERSIST_SRCIP sends the new
 * connections of a source to the backend of its previous ones, as long as the
 * entry is younger than the farm's persist_ttl_s and that backend may still
 * take new connections. Each new connection of the source refreshes the entry.
 */
#ifndef XDPLB_PERSISTENCE_H
#define XDPLB_PERSISTENCE_H

#include "backend_load.h"
#include "clock.h"
#include "maps.h"
#include "parse.h"

/*
 * The backend of the source's live entry, refreshed, with *backend set; or 0
 * when there is none to use. Leaves the source's key in the scratch space for
 * remember_backend.
 */
static __always_inline __u32 persistent_backend(const struct xdplb_farm *farm,
						const struct xdplb_flow_key *key,
						struct scratch *scratch,
						struct xdplb_backend **backend)
{
	struct xdplb_persistence_key *source = &scratch->persistence_key;

	__builtin_memset(source, 0, sizeof(*source));
	source->farm_id = farm->farm_id;
	source->family = key->family;
	source->src = key->src;

	struct xdplb_persistence *entry = bpf_map_lookup_elem(&persistence, source);

	if (!entry)
		return 0;

	__u64 now = bpf_ktime_get_coarse_ns();
	/* A clock ahead of `now` was refreshed meanwhile by another CPU. */
	bool expired = now >= entry->last_seen_ns &&
		       now - entry->last_seen_ns >= (__u64)farm->persist_ttl_s * NS_PER_SEC;
	__u32 backend_id = entry->backend_id;
	struct xdplb_backend *previous = bpf_map_lookup_elem(&backends, &backend_id);

	if (expired || !previous || previous->farm_id != farm->farm_id || !previous->available ||
	    !has_room(backend_id, previous))
		return 0;
	entry->last_seen_ns = now;
	*backend = previous;
	return backend_id;
}

/* Records (or replaces) the source's entry for the backend just chosen. */
static __always_inline void remember_backend(struct scratch *scratch, __u32 backend_id, __u64 now)
{
	struct xdplb_persistence *entry = &scratch->persistence;

	entry->backend_id = backend_id;
	entry->pad = 0;
	entry->last_seen_ns = now;
	bpf_map_update_elem(&persistence, &scratch->persistence_key, entry, BPF_ANY);
}

#endif
