/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Rewrites a packet's tuple to the one its flow entry holds, checksums included. */
#ifndef XDPLB_NAT_H
#define XDPLB_NAT_H

#include "csum.h"
#include "parse.h"

/* IPv4: addresses enter both the IP header checksum and, through the
 * pseudo-header, the TCP/UDP checksum; ports only the latter. */
static __always_inline void rewrite_tuple(struct packet *pkt, const struct xdplb_flow *flow)
{
	struct iphdr *ip = pkt->ip;
	__u32 address_diff = 0;
	__u32 port_diff = 0;

	address_diff = csum_diff32(address_diff, ip->saddr, flow->new_src.words[0]);
	address_diff = csum_diff32(address_diff, ip->daddr, flow->new_dst.words[0]);
	port_diff = csum_diff16(port_diff, *pkt->sport, flow->new_sport);
	port_diff = csum_diff16(port_diff, *pkt->dport, flow->new_dport);

	ip->saddr = flow->new_src.words[0];
	ip->daddr = flow->new_dst.words[0];
	ip->check = csum_apply(ip->check, address_diff);
	*pkt->sport = flow->new_sport;
	*pkt->dport = flow->new_dport;

	/* A UDP checksum of zero means "none" and must stay so; a computed zero
	 * is sent as all ones (RFC 768). */
	bool udp_without_checksum = pkt->key.proto == IPPROTO_UDP && *pkt->l4_check == 0;

	if (udp_without_checksum)
		return;
	__sum16 l4_check = csum_apply(*pkt->l4_check, address_diff + port_diff);

	if (pkt->key.proto == IPPROTO_UDP && l4_check == 0)
		l4_check = (__sum16)0xffff;
	*pkt->l4_check = l4_check;
}

#endif
