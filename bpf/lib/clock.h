/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The data path's clocks: bpf_ktime_get_coarse_ns, whose nanoseconds every
 * timeout, TTL and rate is measured in; and the kernel's jiffies, which only
 * tell an established packet whether its entry's once-a-second check is due,
 * since reading them costs nothing (the verifier inlines bpf_jiffies64),
 * where the coarse clock costs an established packet some 15 ns. */
#ifndef XDPLB_CLOCK_H
#define XDPLB_CLOCK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define NS_PER_SEC 1000000000ULL

/* The kernel's tick rate, from its configuration, which libbpf reads. */
extern unsigned int CONFIG_HZ __kconfig __weak;

/* Jiffies in a second; where the configuration cannot be found, 100, the
 * lowest rate Linux has, so that a "second" comes early, never late. */
static __always_inline __u32 jiffies_per_second(void)
{
	return CONFIG_HZ ? CONFIG_HZ : 100;
}

static __always_inline __u32 jiffies_now(void)
{
	return (__u32)bpf_jiffies64();
}

#endif
