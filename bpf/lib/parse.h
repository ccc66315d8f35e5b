/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Header parsing: from the frame to the flow tuple, with every bound checked. */
#ifndef XDPLB_PARSE_H
#define XDPLB_PARSE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <xdplb/abi.h>

#define AF_INET 2
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

/* Where the headers of one frame are, and its tuple. */
struct packet {
	struct ethhdr *eth;
	struct iphdr *ip;
	__be16 *sport; /* the L4 ports and checksum, whichever the protocol */
	__be16 *dport;
	__sum16 *l4_check;
	bool tcp_syn; /* SYN without ACK: the opening of a connection */
	bool tcp_fin;
	bool tcp_rst;
	__u32 frame_bytes; /* L3 length, as counted in statistics */
	struct xdplb_flow_key key;
};

enum parse_result {
	PARSE_OK = 0,
	PARSE_NOT_IPV4,
	PARSE_NOT_TCP_UDP,
	PARSE_FRAGMENT,
	PARSE_MALFORMED,
};

static __always_inline enum parse_result parse_l4(struct packet *pkt, void *l4, void *data_end)
{
	if (pkt->key.proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end || tcp->doff < 5)
			return PARSE_MALFORMED;
		pkt->sport = &tcp->source;
		pkt->dport = &tcp->dest;
		pkt->l4_check = &tcp->check;
		pkt->tcp_syn = tcp->syn && !tcp->ack;
		pkt->tcp_fin = tcp->fin;
		pkt->tcp_rst = tcp->rst;
		return PARSE_OK;
	}
	struct udphdr *udp = l4;

	if ((void *)(udp + 1) > data_end)
		return PARSE_MALFORMED;
	pkt->sport = &udp->source;
	pkt->dport = &udp->dest;
	pkt->l4_check = &udp->check;
	return PARSE_OK;
}

static __always_inline enum parse_result parse_packet(struct xdp_md *ctx, struct packet *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(eth + 1) > data_end)
		return PARSE_MALFORMED;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return PARSE_NOT_IPV4;
	if ((void *)(ip + 1) > data_end)
		return PARSE_MALFORMED;
	if (ip->version != 4 || ip->ihl < 5)
		return PARSE_MALFORMED;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return PARSE_NOT_TCP_UDP;
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return PARSE_FRAGMENT;

	__u32 ip_header_bytes = ip->ihl * 4;
	__u32 ip_total_bytes = bpf_ntohs(ip->tot_len);

	if (ip_total_bytes < ip_header_bytes || (void *)ip + ip_total_bytes > data_end)
		return PARSE_MALFORMED;

	pkt->eth = eth;
	pkt->ip = ip;
	pkt->frame_bytes = ip_total_bytes;
	pkt->key.family = AF_INET;
	pkt->key.proto = ip->protocol;
	pkt->key.src.words[0] = ip->saddr;
	pkt->key.dst.words[0] = ip->daddr;

	enum parse_result result = parse_l4(pkt, (void *)ip + ip_header_bytes, data_end);

	if (result != PARSE_OK)
		return result;
	pkt->key.sport = *pkt->sport;
	pkt->key.dport = *pkt->dport;
	return PARSE_OK;
}

#endif
