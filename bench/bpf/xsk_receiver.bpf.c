// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* xdplb-trafficgen's receiver: hands every IPv4 UDP frame to the AF_XDP
 * socket bound to the queue it arrived on, where the receiver reads its
 * probe. Everything else (ARP above all, which the kernel scenarios need to
 * reach the backends' addresses) goes to the kernel, and so does a frame of a
 * queue with no socket. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Receive queue -> AF_XDP socket; xdplb-trafficgen fills it. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} receiver_sockets SEC(".maps");

SEC("xdp")
int redirect_udp_to_socket(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	return bpf_redirect_map(&receiver_sockets, ctx->rx_queue_index, XDP_PASS);
}
