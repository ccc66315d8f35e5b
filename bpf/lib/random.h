/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Random and hashed numbers onto a range. */
#ifndef XDPLB_RANDOM_H
#define XDPLB_RANDOM_H

#include <linux/types.h>

/* Maps a uniform 32-bit number onto [0, range) without a division. */
static __always_inline __u32 scale_random(__u32 random, __u32 range)
{
	return (__u32)(((__u64)random * range) >> 32);
}

#endif
