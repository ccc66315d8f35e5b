/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The VIPs, the addresses the farms listen on, and the fragments sent to them.
 * Only a datagram's first fragment carries its ports, and nothing ties the
 * later ones to that first: a fragment can neither pick a farm's backend nor
 * follow its flow's translation. Fragments of a protocol some farm on the
 * address serves are therefore dropped, where they arrive, rather than reach
 * the kernel (which would answer for the VIP itself, or forward them
 * untranslated). Other fragments go to the kernel as before.
 * See docs/fragments-and-icmp.md.
 */
#ifndef XDPLB_VIP_H
#define XDPLB_VIP_H

#include "counters.h"
#include "maps.h"
#include "parse.h"

struct ipv6_fragment_header {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 identification;
};

/* The VIP entry of the packet's destination, if it is a VIP. */
static __always_inline struct xdplb_vip *vip_of_destination(const struct packet *pkt)
{
	struct xdplb_vip_key key = {
		.addr = pkt->key.dst,
		.family = pkt->key.family,
	};

	return bpf_map_lookup_elem(&vips, &key);
}

/* Its XDPLB_VIP_* bit, or 0 for a protocol no farm serves. */
static __always_inline __u8 vip_protocol_bit(__u8 proto)
{
	return proto == IPPROTO_TCP ? XDPLB_VIP_TCP : proto == IPPROTO_UDP ? XDPLB_VIP_UDP : 0;
}

/* An IPv4 fragment names its protocol in the IP header; an IPv6 fragment in
 * the fragment header, which parse_ipv6 found right after the fixed header.
 * A subprogram of its own: its key would otherwise take room in its caller's
 * stack frame. */
static __noinline int leave_fragment(struct packet *pkt, void *data_end,
					  const bool ipv4)
{
	struct xdplb_vip *vip = vip_of_destination(pkt);

	if (!vip)
		return leave(pkt, XDP_PASS, XDPLB_PASS_FRAGMENT);

	__u8 proto = pkt->key.proto;

	if (!ipv4) {
		struct ipv6_fragment_header *fragment = (void *)(pkt->ip6 + 1);

		if ((void *)(fragment + 1) > data_end ||
		    (void *)(fragment + 1) > (void *)pkt->ip6 + pkt->frame_bytes)
			return leave(pkt, XDP_PASS, XDPLB_PASS_MALFORMED);
		proto = fragment->nexthdr;
	}
	if (vip->protocols & vip_protocol_bit(proto))
		return leave(pkt, XDP_DROP, XDPLB_DROP_FRAGMENT_TO_VIP);
	return leave(pkt, XDP_PASS, XDPLB_PASS_FRAGMENT);
}

#endif
