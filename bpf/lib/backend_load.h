/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Connection caps: backend_load counts each capped backend's established
 * connections, the data path adding each as it is confirmed and lbd recounting
 * from the connection table, which is how ended connections leave the count.
 * Handshakes in flight are not counted: a burst of new connections may pass a
 * cap by the number whose handshakes overlap.
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

/* Counts a connection as it is confirmed (leaves the half-open table), so
 * that a flood of handshakes never completed cannot use up a backend's cap.
 * Atomic, as every CPU adds to it. Only a capped backend's count is kept
 * here: an uncapped one is spared the atomic and has lbd's recount. */
static __always_inline void count_confirmed_connection(__u32 backend_id)
{
	struct xdplb_backend *backend = bpf_map_lookup_elem(&backends, &backend_id);

	if (!backend || backend->max_connections == 0)
		return;

	struct xdplb_backend_load *load = bpf_map_lookup_elem(&backend_load, &backend_id);

	if (load)
		__sync_fetch_and_add(&load->connections, 1);
}

#endif
