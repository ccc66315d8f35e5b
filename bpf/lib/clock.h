/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The data path's clock: bpf_ktime_get_coarse_ns, whose nanoseconds every
 * timeout, TTL and rate is measured in. */
#ifndef XDPLB_CLOCK_H
#define XDPLB_CLOCK_H

#define NS_PER_SEC 1000000000ULL

#endif
