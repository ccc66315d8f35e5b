// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The bench's receiver, on the backends' side of the load balancer: counts
 * every IPv4 UDP or TCP frame that came through, per CPU, and drops it, so
 * that the count is the load balancer's throughput and the receiving stack
 * costs nothing. Everything else (ARP above all, which the kernel scenarios
 * need to reach the backends' addresses) goes to the kernel. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Frames received, per CPU (bench/lib/xdp.sh sums them). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_frames SEC(".maps");

SEC("xdp")
int sink_count_and_drop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 zero = 0;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->protocol != IPPROTO_UDP && ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	__u64 *frames = bpf_map_lookup_elem(&sink_frames, &zero);
	if (frames)
		*frames += 1;
	return XDP_DROP;
}
