/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Rewrites a packet's tuple to the one its flow entry holds, checksums included. */
#ifndef XDPLB_NAT_H
#define XDPLB_NAT_H

#include "csum.h"
#include "parse.h"

/* An IPv4 address is the first word only. */
static __always_inline __u32 csum_diff_address(__u32 diff, const struct xdplb_addr *old_value,
						const struct xdplb_addr *new_value, bool ipv4)
{
	diff = csum_diff32(diff, old_value->words[0], new_value->words[0]);
	if (ipv4)
		return diff;
	diff = csum_diff32(diff, old_value->words[1], new_value->words[1]);
	diff = csum_diff32(diff, old_value->words[2], new_value->words[2]);
	return csum_diff32(diff, old_value->words[3], new_value->words[3]);
}

/* IPv4 addresses enter the IP header checksum; IPv6 has none. */
static __always_inline void write_addresses(struct packet *pkt, const struct xdplb_flow *flow,
					    __u32 address_diff, const bool ipv4)
{
	if (ipv4) {
		pkt->ip->saddr = flow->new_src.words[0];
		pkt->ip->daddr = flow->new_dst.words[0];
		pkt->ip->check = csum_apply(pkt->ip->check, address_diff);
		return;
	}
	__builtin_memcpy(pkt->ip6->saddr.in6_u.u6_addr32, flow->new_src.words, 16);
	__builtin_memcpy(pkt->ip6->daddr.in6_u.u6_addr32, flow->new_dst.words, 16);
}

/* Addresses enter the TCP/UDP checksum through the pseudo-header, ports directly. */
static __always_inline void rewrite_tuple(struct packet *pkt, const struct xdplb_flow *flow,
					  const bool ipv4)
{
	__u32 address_diff = 0;
	__u32 port_diff = 0;

	address_diff = csum_diff_address(address_diff, &pkt->key.src, &flow->new_src, ipv4);
	address_diff = csum_diff_address(address_diff, &pkt->key.dst, &flow->new_dst, ipv4);
	port_diff = csum_diff16(port_diff, *pkt->sport, flow->new_sport);
	port_diff = csum_diff16(port_diff, *pkt->dport, flow->new_dport);

	write_addresses(pkt, flow, address_diff, ipv4);
	*pkt->sport = flow->new_sport;
	*pkt->dport = flow->new_dport;

	/* An IPv4 UDP checksum of zero means "none" and must stay so; a computed
	 * zero is sent as all ones (RFC 768, RFC 8200). */
	bool udp = pkt->key.proto == IPPROTO_UDP;

	if (udp && ipv4 && *pkt->l4_check == 0)
		return;
	__sum16 l4_check = csum_apply(*pkt->l4_check, address_diff + port_diff);

	if (udp && l4_check == 0)
		l4_check = (__sum16)0xffff;
	*pkt->l4_check = l4_check;
}

#endif
