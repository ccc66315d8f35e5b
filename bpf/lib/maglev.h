/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Consistent hashing: a hash of the farm's key fields picks a slot of the
 * farm's Maglev table, so one key keeps its backend for as long as the table
 * does, and a change of backends moves few keys (the table's builder sees to
 * that: userspace/model/maglev_table).
 */
#ifndef XDPLB_MAGLEV_H
#define XDPLB_MAGLEV_H

#include "maps.h"
#include "random.h"

/* A bijective mix of 32 bits in which each input bit flips about half the
 * output bits: two rounds of xor-shift and multiply by odd constants. */
static __always_inline __u32 mix32(__u32 value)
{
	value ^= value >> 16;
	value *= 0x7feb352dU;
	value ^= value >> 15;
	value *= 0x846ca68bU;
	value ^= value >> 16;
	return value;
}

/* Folds an address into the hash: one word for IPv4, whose others are 0. */
static __always_inline __u32 hash_address(__u32 hash, const struct xdplb_addr *address,
					  const bool ipv4)
{
	hash = mix32(hash ^ address->words[0]);
	if (ipv4)
		return hash;
	hash = mix32(hash ^ address->words[1]);
	hash = mix32(hash ^ address->words[2]);
	return mix32(hash ^ address->words[3]);
}

/* The hash of a connection's key fields. Each seed gives an independent hash,
 * which is how a key finds its next backend when the first is full. */
static __always_inline __u32 connection_hash(const struct xdplb_flow_key *key, __u8 hash_key,
					     __u32 seed, const bool ipv4)
{
	__u32 hash = hash_address(mix32(seed + 0x9e3779b9U), &key->src, ipv4);

	if (hash_key == XDPLB_HASH_SRCIP)
		return hash;
	if (hash_key == XDPLB_HASH_SRCIP_SRCPORT)
		return mix32(hash ^ key->sport);
	hash = hash_address(hash, &key->dst, ipv4);
	hash = mix32(hash ^ (((__u32)key->sport << 16) | key->dport));
	return mix32(hash ^ key->proto);
}

/* Returns the backend id of the hash's slot, or 0 when the farm has no table. */
static __always_inline __u32 maglev_backend(__u32 farm_id, __u32 hash)
{
	struct xdplb_maglev_table *table = bpf_map_lookup_elem(&maglev_tables, &farm_id);
	__u32 slot = scale_random(hash, XDPLB_MAGLEV_TABLE_SIZE);

	/* The slot is in range, but the verifier cannot tell from the arithmetic:
	 * the barrier keeps the compiler from dropping the test it needs. */
	barrier_var(slot);
	if (!table || slot >= XDPLB_MAGLEV_TABLE_SIZE)
		return 0;
	return table->backend_ids[slot];
}

#endif
