// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The traffic generator's per-frame step, run by BPF_PROG_RUN in live-frame
 * mode: it gives each frame the source address and port of the next flow,
 * fixes the IPv4 and UDP/TCP checksums, and sends the frame out of the
 * interface it was "received" on (XDP_TX).
 *
 * The template frame (built by xdplb-pktgen) is IPv4 with no options, UDP or
 * TCP. Live-frame mode hands the program pages that the bench's receivers
 * changed (see pktgen_config.h), so the headers are written afresh from the
 * template and both checksums are computed from sums of the constant part,
 * never patched from what the frame holds. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "pktgen_config.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the driver before the program loads. */
const volatile struct pktgen_config config;

/* Which flow each CPU sends next, so that CPUs never contend on one counter. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} next_flow SEC(".maps");

static __always_inline __u16 fold_complement(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

SEC("xdp")
int pktgen_next_frame(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	void *l4 = ip + 1;
	__u32 zero = 0;

	if (data + PKTGEN_HEADERS_SIZE > data_end)
		return XDP_ABORTED;
	/* Volatile reads: the compiler would otherwise fold in the zeros the
	 * object file holds before the driver sets the configuration. */
	const volatile __u64 *template_words = (const volatile __u64 *)config.headers;
	__u64 *frame_words = data;
	for (int i = 0; i < PKTGEN_HEADERS_SIZE / 8; i++)
		frame_words[i] = template_words[i];
	__u64 *counter = bpf_map_lookup_elem(&next_flow, &zero);
	if (!counter)
		return XDP_ABORTED;
	__u32 flow = (__u32)(*counter % config.flows);
	*counter += 1;

	/* Flows fill the ports of one source address, then move to the next. */
	__be32 saddr = bpf_htonl(config.first_saddr + flow / config.ports_per_saddr);
	__be16 sport = bpf_htons((__u16)(config.first_sport + flow % config.ports_per_saddr));
	__u64 saddr_words = (saddr & 0xffff) + (saddr >> 16);

	ip->saddr = saddr;
	ip->check = fold_complement(config.ip_partial_sum + saddr_words);

	__u16 l4_check = fold_complement(config.l4_partial_sum + saddr_words + sport);
	if (config.protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;
		udp->source = sport;
		/* In UDP an all-zero checksum means "none": send its equivalent. */
		udp->check = l4_check ? l4_check : 0xffff;
	} else {
		struct tcphdr *tcp = l4;
		tcp->source = sport;
		tcp->check = l4_check;
	}
	return XDP_TX;
}
