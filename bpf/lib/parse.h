/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Header parsing: from the frame to the flow tuple, with every bound checked. */
#ifndef XDPLB_PARSE_H
#define XDPLB_PARSE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <xdplb/abi.h>

#define AF_INET 2
#define AF_INET6 10
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff
#define IPV6_FRAGMENT_HEADER 44

/*
 * Where the headers of one frame are, and its tuple. Code that depends on the
 * family takes it as a `bool ipv4` argument, constant on each path the
 * verifier follows, rather than reading key.family: the verifier knows which
 * header pointer is set on a path, not what the family byte means.
 */
struct packet {
	struct ethhdr *eth;
	struct iphdr *ip;     /* when key.family is AF_INET */
	struct ipv6hdr *ip6;  /* when key.family is AF_INET6 */
	__be16 *sport; /* the L4 ports and checksum, whichever the protocol */
	__be16 *dport;
	__sum16 *l4_check;
	bool tcp_syn; /* SYN without ACK: the opening of a connection */
	bool tcp_fin;
	bool tcp_rst;
	__u32 frame_bytes; /* L3 length, as counted in statistics */
	struct xdplb_flow_key key;
	/* The decision, for a trace (trace.h), noted where it is made. */
	__u32 farm_id;    /* 0: no farm known */
	__u32 backend_id; /* 0: none chosen */
	__u32 reason;     /* enum xdplb_reason or enum xdplb_trace_reason */
};

/* With PARSE_NOT_TCP_UDP, PARSE_ICMP and PARSE_FRAGMENT, the L3 part of the
 * tuple (family, protocol, addresses), ip or ip6 and frame_bytes are set too:
 * ICMP takes its own path (icmp.h), and a fragment's destination decides its
 * fate (vip.h). */
enum parse_result {
	PARSE_OK = 0,
	PARSE_NOT_TCP_UDP,
	PARSE_ICMP,
	PARSE_FRAGMENT,
	PARSE_MALFORMED,
};

/* l3_end: where the IP packet ends by its own length; what lies beyond is
 * Ethernet padding, never a header. The verifier learns bounds only from
 * comparisons with data_end, hence both. */
static __always_inline enum parse_result parse_l4(struct packet *pkt, void *l4, void *l3_end,
						  void *data_end)
{
	if (pkt->key.proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end || (void *)(tcp + 1) > l3_end || tcp->doff < 5)
			return PARSE_MALFORMED;
		pkt->sport = &tcp->source;
		pkt->dport = &tcp->dest;
		pkt->l4_check = &tcp->check;
		/* A SYN that also finishes or resets opens nothing. */
		pkt->tcp_syn = tcp->syn && !tcp->ack && !tcp->fin && !tcp->rst;
		pkt->tcp_fin = tcp->fin;
		pkt->tcp_rst = tcp->rst;
	} else {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end || (void *)(udp + 1) > l3_end)
			return PARSE_MALFORMED;
		pkt->sport = &udp->source;
		pkt->dport = &udp->dest;
		pkt->l4_check = &udp->check;
	}
	pkt->key.sport = *pkt->sport;
	pkt->key.dport = *pkt->dport;
	return PARSE_OK;
}

static __always_inline enum parse_result parse_ipv4(struct packet *pkt, struct iphdr *ip,
						    void *data_end)
{
	if ((void *)(ip + 1) > data_end)
		return PARSE_MALFORMED;
	if (ip->version != 4 || ip->ihl < 5)
		return PARSE_MALFORMED;

	__u32 header_bytes = ip->ihl * 4;
	__u32 total_bytes = bpf_ntohs(ip->tot_len);

	if (total_bytes < header_bytes || (void *)ip + total_bytes > data_end)
		return PARSE_MALFORMED;

	pkt->ip = ip;
	pkt->frame_bytes = total_bytes;
	pkt->key.family = AF_INET;
	pkt->key.proto = ip->protocol;
	pkt->key.src.words[0] = ip->saddr;
	pkt->key.dst.words[0] = ip->daddr;
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return PARSE_FRAGMENT;
	if (ip->protocol == IPPROTO_ICMP)
		return PARSE_ICMP;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return PARSE_NOT_TCP_UDP;
	return parse_l4(pkt, (void *)ip + header_bytes, (void *)ip + total_bytes, data_end);
}

/* Extension headers other than a fragment header are not walked: such packets
 * are not ours to judge and go to the kernel. */
static __always_inline enum parse_result parse_ipv6(struct packet *pkt, struct ipv6hdr *ip6,
						    void *data_end)
{
	if ((void *)(ip6 + 1) > data_end)
		return PARSE_MALFORMED;
	if (ip6->version != 6)
		return PARSE_MALFORMED;

	__u32 total_bytes = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);

	if ((void *)ip6 + total_bytes > data_end)
		return PARSE_MALFORMED;

	pkt->ip6 = ip6;
	pkt->frame_bytes = total_bytes;
	pkt->key.family = AF_INET6;
	pkt->key.proto = ip6->nexthdr;
	__builtin_memcpy(pkt->key.src.words, ip6->saddr.in6_u.u6_addr32, sizeof(pkt->key.src));
	__builtin_memcpy(pkt->key.dst.words, ip6->daddr.in6_u.u6_addr32, sizeof(pkt->key.dst));
	if (ip6->nexthdr == IPV6_FRAGMENT_HEADER)
		return PARSE_FRAGMENT;
	if (ip6->nexthdr == IPPROTO_ICMPV6)
		return PARSE_ICMP;
	if (ip6->nexthdr != IPPROTO_TCP && ip6->nexthdr != IPPROTO_UDP)
		return PARSE_NOT_TCP_UDP;
	return parse_l4(pkt, ip6 + 1, (void *)ip6 + total_bytes, data_end);
}

static __always_inline bool address_is_zero(const struct xdplb_addr *address)
{
	return (address->words[0] | address->words[1] | address->words[2] | address->words[3]) == 0;
}

#endif
