/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Incremental Internet checksum updates (RFC 1624: HC' = ~(~HC + ~m + m')).
 * Words are summed as they lie in memory, which keeps the arithmetic
 * independent of byte order: no conversion is needed anywhere.
 */
#ifndef XDPLB_CSUM_H
#define XDPLB_CSUM_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* Accumulates ~old + new for a 32-bit field into a running difference. */
static __always_inline __u32 csum_diff32(__u32 diff, __be32 old_value, __be32 new_value)
{
	__u32 inverted = ~old_value;

	return diff + (inverted & 0xffff) + (inverted >> 16) + (new_value & 0xffff) +
	       (new_value >> 16);
}

static __always_inline __u32 csum_diff16(__u32 diff, __be16 old_value, __be16 new_value)
{
	return diff + (__u16)~old_value + new_value;
}

/* Applies an accumulated difference to a stored checksum. */
static __always_inline __sum16 csum_apply(__sum16 checksum, __u32 diff)
{
	__u32 sum = (__u16)~checksum + diff;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__sum16)~sum;
}

#endif
