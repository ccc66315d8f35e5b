// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The `xdp-limit` scenario: the least an XDP load balancer must do with a
 * frame (set both MAC addresses, redirect it out of the other interface),
 * and nothing else. Its throughput is the ceiling of the bench. The scenario
 * script writes the MACs into redirect_config and the output interface into
 * redirect_port. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct redirect_config {
	__u8 src_mac[ETH_ALEN];
	__u8 dst_mac[ETH_ALEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct redirect_config);
} redirect_config SEC(".maps");

/* The output interface, as a devmap: redirects through it are batched. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} redirect_port SEC(".maps");

SEC("xdp")
int xdp_redirect_only(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 zero = 0;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	struct redirect_config *config = bpf_map_lookup_elem(&redirect_config, &zero);
	if (!config)
		return XDP_ABORTED;
	__builtin_memcpy(eth->h_source, config->src_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, config->dst_mac, ETH_ALEN);
	return bpf_redirect_map(&redirect_port, 0, XDP_DROP);
}
