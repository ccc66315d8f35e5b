/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ICMP and ICMPv6 that the load balancer handles itself:
 * - an echo request to a VIP is answered where it arrived (XDP_TX);
 * - an error about a tracked flow (destination unreachable, packet too big,
 *   time exceeded) is translated like the flow's own packets: the packet it
 *   quotes gets back the tuple its sender knows, and the error goes to that
 *   sender (a backend's port unreachable to the client, a client's packet
 *   too big to the backend).
 * Anything else, and anything that does not parse in full, goes to the kernel
 * untouched. See docs/fragments-and-icmp.md.
 */
#ifndef XDPLB_ICMP_H
#define XDPLB_ICMP_H

#include "conntrack.h"
#include "dsr.h"
#include "counters.h"
#include "csum.h"
#include "forward.h"
#include "maps.h"
#include "nat.h"
#include "parse.h"
#include "trace.h"
#include "vip.h"

#define ICMP4_ECHO_REPLY 0
#define ICMP4_DEST_UNREACHABLE 3
#define ICMP4_ECHO_REQUEST 8
#define ICMP4_TIME_EXCEEDED 11
#define ICMP6_DEST_UNREACHABLE 1
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129

/* The TTL (hop limit) of an echo reply: Linux's default for a new packet. */
#define ECHO_REPLY_HOPS 64

/* The fixed first 8 bytes of an ICMP or ICMPv6 message: the same layout in both. */
struct icmp_head {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest; /* echo: identifier and sequence; packet too big: the MTU */
};

/* Where the fields of the packet an error quotes lie, each checked to be in
 * the frame. The quote is the IP header and at least the first 8 bytes of
 * the transport header (RFC 792; RFC 4443 quotes more). */
struct quoted_packet {
	struct iphdr *ip;    /* when ipv4 */
	struct ipv6hdr *ip6; /* otherwise */
	__be16 *ports;       /* source, then destination */
	__sum16 *l4_check;   /* NULL when the quote ends before it (TCP's lies at byte 16) */
};

/* A one-byte field that is the high byte of its 16-bit word (TTL, ICMP type). */
static __always_inline __u32 csum_diff_high_byte(__u32 diff, __u8 old_value, __u8 new_value)
{
	return csum_diff16(diff, bpf_htons((__u16)old_value << 8), bpf_htons((__u16)new_value << 8));
}

/* The ICMP header, or NULL when the message is too short to hold one. */
static __always_inline struct icmp_head *icmp_head_of(const struct packet *pkt, void *l3_end,
						       void *data_end, const bool ipv4)
{
	struct icmp_head *icmp =
		ipv4 ? (void *)pkt->ip + pkt->ip->ihl * 4 : (void *)(pkt->ip6 + 1);

	if ((void *)(icmp + 1) > data_end || (void *)(icmp + 1) > l3_end)
		return NULL;
	return icmp;
}

static __always_inline bool is_echo_request(const struct icmp_head *icmp, const bool ipv4)
{
	return icmp->type == (ipv4 ? ICMP4_ECHO_REQUEST : ICMP6_ECHO_REQUEST) && icmp->code == 0;
}

static __always_inline bool is_error_about_a_packet(const struct icmp_head *icmp, const bool ipv4)
{
	if (ipv4)
		return icmp->type == ICMP4_DEST_UNREACHABLE || icmp->type == ICMP4_TIME_EXCEEDED;
	return icmp->type == ICMP6_DEST_UNREACHABLE || icmp->type == ICMP6_PACKET_TOO_BIG ||
	       icmp->type == ICMP6_TIME_EXCEEDED;
}

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 mac[ETH_ALEN];

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
}

/* Whether a reply may go to this source: not unspecified or "this network"
 * (0.0.0.0/8), not multicast or broadcast (224.0.0.0/3), not IPv6 multicast.
 * Requests from such martian sources are the kernel's to drop. */
static __always_inline bool answerable_source(const struct xdplb_addr *src, const bool ipv4)
{
	__u32 first_word = bpf_ntohl(src->words[0]);

	if (ipv4)
		return (first_word >> 24) != 0 && (first_word >> 29) != 0x7;
	return !address_is_zero(src) && (first_word >> 24) != 0xff;
}

/*
 * Turns an echo request to a VIP into its reply, in place: MACs and addresses
 * swapped, a fresh TTL, the reply type; identifier, sequence and data stay.
 * Swapping the addresses changes no checksum (ICMPv6's pseudo-header sums
 * them in either order); the TTL and the type are updated incrementally.
 * Replies are not rate-limited, like the kernel's own (icmp_ratemask).
 * A request with IP options goes to the kernel, which knows how to answer
 * them, and so does one from a source no reply may go to.
 */
static __always_inline int answer_echo(struct packet *pkt, struct icmp_head *icmp,
				       const bool ipv4)
{
	if (!vip_of_destination(pkt))
		return leave(pkt, XDP_PASS, XDPLB_PASS_NO_FARM);
	if (ipv4 && pkt->ip->ihl != 5)
		return leave(pkt, XDP_PASS, XDPLB_PASS_NOT_TCP_UDP);
	if (!answerable_source(&pkt->key.src, ipv4))
		return leave(pkt, XDP_PASS, XDPLB_PASS_MALFORMED);

	swap_macs(pkt->eth);
	if (ipv4) {
		struct iphdr *ip = pkt->ip;

		ip->check = csum_apply(ip->check, csum_diff_high_byte(0, ip->ttl, ECHO_REPLY_HOPS));
		ip->ttl = ECHO_REPLY_HOPS;
		ip->saddr = pkt->key.dst.words[0];
		ip->daddr = pkt->key.src.words[0];
	} else {
		struct ipv6hdr *ip6 = pkt->ip6;

		ip6->hop_limit = ECHO_REPLY_HOPS;
		__builtin_memcpy(ip6->saddr.in6_u.u6_addr32, pkt->key.dst.words, 16);
		__builtin_memcpy(ip6->daddr.in6_u.u6_addr32, pkt->key.src.words, 16);
	}
	__u8 reply_type = ipv4 ? ICMP4_ECHO_REPLY : ICMP6_ECHO_REPLY;

	icmp->checksum = csum_apply(icmp->checksum, csum_diff_high_byte(0, icmp->type, reply_type));
	icmp->type = reply_type;
	return leave(pkt, XDP_TX, XDPLB_TX_ICMP_ECHO_REPLY);
}

/*
 * Finds the fields of the quoted packet and the key of the flow entry its
 * answers would hit: the quoted tuple reversed. Only TCP and UDP are quoted
 * by tracked flows, and only a first fragment (or a whole packet) quotes
 * ports. Returns a reason to pass, or -1.
 */
static __always_inline int parse_quote(struct quoted_packet *quote, struct xdplb_flow_key *key,
				       void *start, void *l3_end, void *data_end, const bool ipv4)
{
	void *l4;

	__builtin_memset(key, 0, sizeof(*key));
	if (ipv4) {
		struct iphdr *ip = start;

		if ((void *)(ip + 1) > data_end || (void *)(ip + 1) > l3_end)
			return XDPLB_PASS_MALFORMED;
		if (ip->version != 4 || ip->ihl < 5)
			return XDPLB_PASS_MALFORMED;
		if (ip->frag_off & bpf_htons(IP_OFFSET))
			return XDPLB_PASS_FRAGMENT;
		quote->ip = ip;
		key->family = AF_INET;
		key->proto = ip->protocol;
		key->src.words[0] = ip->daddr;
		key->dst.words[0] = ip->saddr;
		l4 = (void *)ip + ip->ihl * 4;
	} else {
		struct ipv6hdr *ip6 = start;

		if ((void *)(ip6 + 1) > data_end || (void *)(ip6 + 1) > l3_end)
			return XDPLB_PASS_MALFORMED;
		if (ip6->version != 6)
			return XDPLB_PASS_MALFORMED;
		quote->ip6 = ip6;
		key->family = AF_INET6;
		key->proto = ip6->nexthdr;
		__builtin_memcpy(key->src.words, ip6->daddr.in6_u.u6_addr32, sizeof(key->src));
		__builtin_memcpy(key->dst.words, ip6->saddr.in6_u.u6_addr32, sizeof(key->dst));
		l4 = ip6 + 1;
	}
	if (key->proto != IPPROTO_TCP && key->proto != IPPROTO_UDP)
		return XDPLB_PASS_NOT_TCP_UDP;
	if (l4 + 8 > data_end || l4 + 8 > l3_end)
		return XDPLB_PASS_MALFORMED;

	quote->ports = l4;
	key->sport = quote->ports[1];
	key->dport = quote->ports[0];
	if (key->proto == IPPROTO_UDP)
		quote->l4_check = l4 + 6;
	else if (l4 + 18 <= data_end && l4 + 18 <= l3_end)
		quote->l4_check = l4 + 16;
	return -1;
}

/*
 * The tracked flow a quoted packet belongs to, given its reversed tuple; NULL
 * when there is none or it has gone stale. The one place the ICMP path reads
 * the connection tables: established first, then half-open (a UDP flow's
 * first datagram, answered by a port unreachable, is still half-open).
 */
static __always_inline struct xdplb_flow *flow_of_quote(const struct xdplb_flow_key *key,
							 const struct xdplb_settings *config)
{
	bool half_open = false;
	struct xdplb_flow *flow = bpf_map_lookup_elem(&conntrack, key);

	if (!flow) {
		half_open = true;
		flow = bpf_map_lookup_elem(&conntrack_halfopen, key);
	}
	if (!flow || flow_is_stale(flow, key->proto, bpf_ktime_get_coarse_ns(), half_open, config))
		return NULL;
	return flow;
}

/*
 * An error about the reply of a DSR connection (the client's path reports it
 * too big): the backend sent that reply from the VIP, which it holds, so the
 * error reaches it as it is, switched like the connection's own packets.
 */
static __always_inline int error_to_dsr_backend(struct xdp_md *ctx, struct packet *pkt,
						const struct xdplb_flow *flow,
						struct bpf_fib_lookup *fib, const bool ipv4)
{
	int drop_reason = dsr_route(ctx, fib, pkt, flow, ipv4);

	if (drop_reason >= 0)
		return leave(pkt, XDP_DROP, drop_reason);
	return leave(pkt, redirect_to_next_hop(pkt, fib), XDPLB_FWD_ICMP_ERROR);
}

/*
 * The quote becomes the packet as its sender knows it, from flow->new_dst
 * (and new_dport) to flow->new_src (new_sport), with its IP and transport
 * checksums updated; the error goes from new_src to flow->new_dst. Every
 * changed word of the quote enters the ICMP checksum, and for ICMPv6 the
 * outer addresses too, through its pseudo-header.
 */
static __always_inline void rewrite_error(struct packet *pkt, struct icmp_head *icmp,
					  const struct quoted_packet *quote,
					  const struct xdplb_flow_key *key,
					  const struct xdplb_flow *flow,
					  const struct xdplb_addr *new_src, const bool ipv4)
{
	__u32 quote_address_diff = 0;
	__u32 quote_port_diff = 0;
	__u32 outer_address_diff = 0;
	__u32 icmp_diff = 0;

	/* key->dst is the quote's source, key->src its destination. */
	quote_address_diff = csum_diff_address(quote_address_diff, &key->dst, &flow->new_dst, ipv4);
	quote_address_diff = csum_diff_address(quote_address_diff, &key->src, &flow->new_src, ipv4);
	quote_port_diff = csum_diff16(quote_port_diff, key->dport, flow->new_dport);
	quote_port_diff = csum_diff16(quote_port_diff, key->sport, flow->new_sport);
	outer_address_diff = csum_diff_address(outer_address_diff, &pkt->key.src, new_src, ipv4);
	outer_address_diff = csum_diff_address(outer_address_diff, &pkt->key.dst, &flow->new_dst, ipv4);

	if (ipv4) {
		__sum16 old_check = quote->ip->check;

		quote->ip->saddr = flow->new_dst.words[0];
		quote->ip->daddr = flow->new_src.words[0];
		quote->ip->check = csum_apply(old_check, quote_address_diff);
		icmp_diff = csum_diff16(icmp_diff, old_check, quote->ip->check);
	} else {
		__builtin_memcpy(quote->ip6->saddr.in6_u.u6_addr32, flow->new_dst.words, 16);
		__builtin_memcpy(quote->ip6->daddr.in6_u.u6_addr32, flow->new_src.words, 16);
	}
	quote->ports[0] = flow->new_dport;
	quote->ports[1] = flow->new_sport;

	/* An IPv4 UDP checksum of zero means none and stays so (see nat.h). */
	bool udp = key->proto == IPPROTO_UDP;

	if (quote->l4_check && !(udp && ipv4 && *quote->l4_check == 0)) {
		__sum16 old_check = *quote->l4_check;
		__sum16 new_check = csum_apply(old_check, quote_address_diff + quote_port_diff);

		if (udp && new_check == 0)
			new_check = (__sum16)0xffff;
		*quote->l4_check = new_check;
		icmp_diff = csum_diff16(icmp_diff, old_check, new_check);
	}
	icmp_diff += quote_address_diff + quote_port_diff;

	if (ipv4) {
		pkt->ip->saddr = new_src->words[0];
		pkt->ip->daddr = flow->new_dst.words[0];
		pkt->ip->check = csum_apply(pkt->ip->check, outer_address_diff);
	} else {
		__builtin_memcpy(pkt->ip6->saddr.in6_u.u6_addr32, new_src->words, 16);
		__builtin_memcpy(pkt->ip6->daddr.in6_u.u6_addr32, flow->new_dst.words, 16);
		icmp_diff += outer_address_diff;
	}
	icmp->checksum = csum_apply(icmp->checksum, icmp_diff);
}

/*
 * An error about a tracked flow, from either side: from the backend's side it
 * quotes a packet the LB sent toward the backend, and finds the reply entry,
 * which holds the client's view; from the client's side it quotes a packet
 * from the VIP, and finds the forward entry, which holds the backend's. The
 * error must be addressed to the quoted packet's source. One sent by the
 * quoted packet's destination (a backend refusing a port, the client itself)
 * speaks for that end and takes its translated address; one from a router on
 * the way keeps the router's address, which is where the error arose.
 */
static __always_inline int translate_error(struct xdp_md *ctx, struct packet *pkt,
					   struct icmp_head *icmp, void *l3_end, void *data_end,
					   const bool ipv4)
{
	struct quoted_packet quote = {};
	__u32 zero = 0;
	struct scratch *scratch = bpf_map_lookup_elem(&scratch_space, &zero);
	struct xdplb_settings *config = current_settings();

	if (!scratch || !config)
		return XDP_PASS; /* cannot happen: one-slot arrays always have their slot */

	struct xdplb_flow_key *key = &scratch->quote_key;
	int reason = parse_quote(&quote, key, icmp + 1, l3_end, data_end, ipv4);

	if (reason >= 0)
		return leave(pkt, XDP_PASS, reason);
	if (!same_address(&pkt->key.dst, &key->dst))
		return leave(pkt, XDP_PASS, XDPLB_PASS_MALFORMED);

	struct xdplb_flow *flow = flow_of_quote(key, config);

	if (!flow)
		return leave(pkt, XDP_PASS, XDPLB_PASS_NO_FARM);
	note_flow(pkt, flow);
	if (flow->direction == XDPLB_DIR_DSR)
		return error_to_dsr_backend(ctx, pkt, flow, &scratch->fib, ipv4);
	if (!hops_left(pkt, ipv4))
		return leave(pkt, XDP_DROP, XDPLB_DROP_TTL_EXCEEDED);

	const struct xdplb_addr *new_src =
		same_address(&pkt->key.src, &key->src) ? &flow->new_src : &pkt->key.src;
	int fib_result = fib_lookup(ctx, &scratch->fib, pkt, new_src, &flow->new_dst, false, ipv4);

	rewrite_error(pkt, icmp, &quote, key, flow, new_src, ipv4);

	int verdict = transmit(pkt, &scratch->fib, fib_result, ipv4);

	return verdict == XDP_REDIRECT ? leave(pkt, verdict, XDPLB_FWD_ICMP_ERROR) : verdict;
}

/*
 * The ICMP path, apart from TCP and UDP so that their per-packet cost and
 * stack stay as they are. The verifier checks it once per family, like
 * handle_packet.
 */
static __noinline int handle_icmp(struct xdp_md *ctx, struct packet *pkt, const bool ipv4)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *l3_end = (ipv4 ? (void *)pkt->ip : (void *)pkt->ip6) + pkt->frame_bytes;
	struct icmp_head *icmp = icmp_head_of(pkt, l3_end, data_end, ipv4);

	if (!icmp)
		return leave(pkt, XDP_PASS, XDPLB_PASS_MALFORMED);
	if (is_echo_request(icmp, ipv4))
		return answer_echo(pkt, icmp, ipv4);
	if (is_error_about_a_packet(icmp, ipv4))
		return translate_error(ctx, pkt, icmp, l3_end, data_end, ipv4);
	return leave(pkt, XDP_PASS, XDPLB_PASS_NOT_TCP_UDP);
}

#endif
