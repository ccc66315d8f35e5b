// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The empty program: the baseline every per-packet cost is measured against. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int xdp_pass_all(struct xdp_md *ctx)
{
	return XDP_PASS;
}
