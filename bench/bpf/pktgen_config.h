/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What xdplb-pktgen tells pktgen.bpf.c before loading it (its read-only data). */
#ifndef XDPLB_BENCH_PKTGEN_CONFIG_H
#define XDPLB_BENCH_PKTGEN_CONFIG_H

#include <linux/types.h>

/* The template's first bytes: Ethernet, IPv4 and TCP headers (54 bytes), or
 * Ethernet, IPv4 and UDP headers and the start of the payload; frames are 60
 * bytes at least. A whole number of 8-byte words, which the program copies. */
#define PKTGEN_HEADERS_SIZE 56

struct pktgen_config {
	/* Written over each frame first: in live-frame mode a page comes back
	 * with what the last receiver made of it (a decremented TTL, rewritten
	 * MACs and addresses), the kernel resetting nothing but the pointers. */
	__u8 headers[PKTGEN_HEADERS_SIZE];
	/* One's-complement sums (not folded) of the template's IPv4 header and
	 * of its UDP/TCP checksum's input (pseudo-header included), taken with
	 * the source address, the source port and both checksums zero: the
	 * program adds the flow's address and port and folds. Summed over the
	 * 16-bit words as they lie in memory, as the program reads them. */
	__u64 ip_partial_sum;
	__u64 l4_partial_sum;
	__u32 flows;           /* number of distinct flows, at least 1 */
	__u32 first_saddr;     /* host byte order */
	__u32 ports_per_saddr; /* flows per source address, before the next one */
	__u16 first_sport;     /* host byte order */
	__u8 protocol;         /* IPPROTO_UDP or IPPROTO_TCP */
	__u8 pad;
};

#endif
