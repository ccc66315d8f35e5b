/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Connection caps: backend_load counts each capped backend's connections, the
 * data path adding the new ones and lbd recounting from the connection table,
 * which is how ended connections leave the count.
 */
#ifndef XDPLB_BACKEND_LOAD_H
#define XDPLB_BACKEND_LOAD_H

#include <stdbool.h>
#include "maps.h"

/* Whether the backend may take one more connection. */
static __always_inline bool has_room(__u32 backend_id, const struct xdplb_backend *backend)
{
	if (backend->max_connections == 0)
		return true;

	struct xdplb_backend_load *load = bpf_map_lookup_elem(&backend_load, &backend_id);

	return load && load->connections < backend->max_connections;
}

/* Counts a connection just recorded, atomically, as every CPU adds to it.
 * Only a capped backend's count is read here: an uncapped one is spared the
 * atomic (the dearest step of a new DNAT connection after the table inserts)
 * and has lbd's recount. */
static __always_inline void count_backend_connection(__u32 backend_id,
						     const struct xdplb_backend *backend)
{
	if (backend->max_connections == 0)
		return;

	struct xdplb_backend_load *load = bpf_map_lookup_elem(&backend_load, &backend_id);

	if (load)
		__sync_fetch_and_add(&load->connections, 1);
}

#endif
