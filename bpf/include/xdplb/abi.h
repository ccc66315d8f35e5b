/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel/user ABI of xdplb: every map key, map value and constant that both
 * the XDP program and the control plane see. Both sides include this file and
 * nothing else defines these layouts.
 *
 * Conventions:
 * - addresses and ports are kept in network byte order, exactly as on the wire,
 *   so the data path copies them without conversion;
 * - an IPv4 address occupies the first word of struct xdplb_addr, the rest is 0,
 *   so one key layout serves both families; an IPv6 address all four;
 * - every struct is padded explicitly: map keys are hashed byte for byte.
 */
#ifndef XDPLB_ABI_H
#define XDPLB_ABI_H

#include <linux/types.h>

/*
 * The version of every layout below. lbd pins the maps under it
 * (PIN_DIR/abi-N) and never hands maps of another version to a program:
 * bump it whenever a map's key or value changes in size, order or meaning.
 */
#define XDPLB_ABI_VERSION 1

#define XDPLB_MAX_FARMS 1024
#define XDPLB_MAX_BACKENDS 16384       /* across all farms; id 0 is never used */
#define XDPLB_MAX_FARM_BACKENDS 256    /* slots of one selection table */
#define XDPLB_MAX_INTERFACES 64
#define XDPLB_MAX_SNAT_ADDRS 8         /* SNAT addresses of one farm */
#define XDPLB_DEFAULT_CONNTRACK_SIZE 1048576
#define XDPLB_MAX_FARM_KEYS 65536      /* (VIP, port) pairs: a farm may listen on many ports */
#define XDPLB_PERSISTENCE_SIZE 262144  /* sources remembered across all farms */
#define XDPLB_MAX_SOURCE_PREFIXES 1024   /* CIDRs in one farm's allow (or deny) list */
#define XDPLB_SOURCE_LIST_SIZE 65536     /* CIDRs in all farms' allow (or deny) lists together */
#define XDPLB_RATE_LIMIT_SOURCES 262144  /* (farm, source) token buckets, least recently used go first */

/* How many random SNAT ports a new connection tries before it is refused:
 * with 32, a range two thirds in use refuses one connection in a million. */
#define XDPLB_SNAT_PORT_ATTEMPTS 32

enum xdplb_mode {
	XDPLB_MODE_SNAT = 0, /* rewrite destination and source; replies return by NAT */
	XDPLB_MODE_DNAT = 1, /* rewrite destination; the LB is the backends' gateway */
	XDPLB_MODE_DSR = 2,  /* rewrite the destination MAC only; backends answer directly */
};

enum xdplb_scheduler {
	XDPLB_SCHED_WEIGHT = 0, /* weighted random, exact (select_tables) */
	XDPLB_SCHED_RR = 1,     /* weighted round robin */
	XDPLB_SCHED_HASH = 2,   /* weighted Maglev consistent hashing over hash_key */
};

enum xdplb_hash_key {
	XDPLB_HASH_SRCIP = 0,
	XDPLB_HASH_SRCIP_SRCPORT = 1,
	XDPLB_HASH_5TUPLE = 2,
};

/* struct xdplb_farm.flags */
#define XDPLB_FARM_PERSIST_SRCIP 0x1 /* later connections of a source reuse its backend */
#define XDPLB_FARM_ALLOW_LIST 0x2    /* only sources in the farm's allow list may connect */
#define XDPLB_FARM_DENY_LIST 0x4     /* sources in the farm's deny list may not connect */

struct xdplb_addr {
	__be32 words[4];
};

/* farms: (VIP, port, protocol) -> farm. */
struct xdplb_farm_key {
	struct xdplb_addr vip;
	__be16 port;
	__u8 proto;  /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family; /* AF_INET or AF_INET6 */
};

struct xdplb_farm {
	__u32 farm_id;
	__u8 mode;            /* enum xdplb_mode */
	__u8 snat_addr_count; /* 0: SNAT uses the address of the egress interface */
	__u8 scheduler;       /* enum xdplb_scheduler */
	__u8 hash_key;        /* enum xdplb_hash_key, for XDPLB_SCHED_HASH */
	__u32 flags;          /* XDPLB_FARM_* */
	__u32 persist_ttl_s;  /* with XDPLB_FARM_PERSIST_SRCIP */
	__u32 rate_limit;     /* new connections per second from one source; 0: no limit */
	__u32 rate_burst;     /* how many above the rate a source may open at once */
	struct xdplb_addr snat_addrs[XDPLB_MAX_SNAT_ADDRS];
};

/*
 * vips: every address some farm listens on. The data path answers pings to
 * them and drops fragments of the farms' protocols sent to them
 * (docs/fragments-and-icmp.md). An address is added with its first farm and
 * removed with its last.
 */
struct xdplb_vip_key {
	struct xdplb_addr addr;
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 pad[3];
};

/* struct xdplb_vip.protocols */
#define XDPLB_VIP_TCP 0x1 /* some farm on the address serves TCP */
#define XDPLB_VIP_UDP 0x2 /* some farm on the address serves UDP */

struct xdplb_vip {
	__u8 protocols; /* XDPLB_VIP_* */
	__u8 pad[3];
};

/*
 * How many of the scheduler's choices a new connection tries while they are
 * at their max_connections: the first and further ones (another draw, the next
 * turn, another hash). After those, every serving backend of the farm's
 * select table is tried once, so a connection is refused only when all are
 * full. Only a farm whose backends are full pays for either.
 */
#define XDPLB_SELECT_ATTEMPTS 4

/*
 * select_tables: farm_id -> a Vose alias table over the farm's schedulable
 * backends, whatever the farm's scheduler: its slots' backend_id list every
 * serving backend once, which is where a connection looks when the
 * scheduler's choices are full. A new connection draws a slot uniformly, then keeps the slot's
 * backend with probability keep_threshold / 2^32, or takes the slot's alias.
 * This is exact to the weights (within 2^-32) and costs two random numbers.
 * The control plane replaces a whole table at once, so a reader never sees
 * half of an update.
 */
struct xdplb_select_slot {
	__u32 keep_threshold;
	__u32 backend_id;
	__u32 alias_backend_id;
};

struct xdplb_select_table {
	__u32 slot_count; /* 0: the farm has no backend to take new connections */
	__u32 pad;
	struct xdplb_select_slot slots[XDPLB_MAX_FARM_BACKENDS];
};

/*
 * rr_tables: farm_id -> the turns of weighted round robin, interleaved so that
 * a backend's turns are spread evenly. Each backend has turns in proportion to
 * its weight, exactly when the reduced weights sum to at most the table's
 * size, else within one turn in XDPLB_RR_TABLE_SIZE. Each CPU steps its own
 * cursor (rr_cursors) through the turns.
 */
#define XDPLB_RR_TABLE_SIZE 4096 /* a power of two: the data path masks indexes with it */

struct xdplb_rr_table {
	__u32 length; /* turns in use; 0: no backend takes new connections */
	__u32 pad;
	__u32 backend_ids[XDPLB_RR_TABLE_SIZE];
};

/*
 * maglev_tables: farm_id -> a weighted Maglev lookup table: a connection's
 * hash (over the farm's hash_key fields) picks a slot, the slot its backend.
 * The size is prime, as the permutations that fill it require. A farm without
 * a backend to take new connections has no table.
 */
#define XDPLB_MAGLEV_TABLE_SIZE 65537

struct xdplb_maglev_table {
	__u32 backend_ids[XDPLB_MAGLEV_TABLE_SIZE];
};

/* backends: backend_id -> where its connections go. */
struct xdplb_backend {
	struct xdplb_addr addr;
	__be16 port; /* 0: keep the client's destination port */
	__u8 family;
	__u8 available;       /* may take new connections (persistent ones included) */
	__u32 max_connections; /* 0: no cap */
	__u32 farm_id;         /* its farm: an id may pass to another farm's backend */
};

/*
 * backend_load: backend_id -> its tracked connections, for max_connections.
 * The data path adds each new connection of a capped backend atomically (an
 * uncapped one is spared the atomic); lbd recounts from the connection table
 * every second, which is how ended connections leave it.
 */
struct xdplb_backend_load {
	__u64 connections;
};

/* persistence: (farm, source address) -> the backend its connections use. */
struct xdplb_persistence_key {
	__u32 farm_id;
	__u8 family;
	__u8 pad[3];
	struct xdplb_addr src;
};

struct xdplb_persistence {
	__u32 backend_id;
	__u32 pad;
	__u64 last_seen_ns; /* coarse monotonic clock */
};

/*
 * allow_sources and deny_sources: LPM tries of (farm, source prefix). A farm's
 * entries all have the VIP's family, so the farm id tells the family apart.
 * prefixlen counts the farm id's 32 bits plus the address prefix; the farm id
 * is in host byte order (compared bit for bit, never ordered).
 */
struct xdplb_source_prefix_key {
	__u32 prefixlen;
	__u32 farm_id;
	struct xdplb_addr addr;
};

/* rate_buckets: (farm, source address) -> its new-connection budget. */
struct xdplb_rate_key {
	__u32 farm_id;
	__u32 pad;
	struct xdplb_addr src;
};

/*
 * A token bucket of rate_limit + rate_burst tokens, refilled at rate_limit per
 * second, kept as the time it will be full again: each new connection takes a
 * token, moving that time one interval (1 s / rate_limit) later, and is refused
 * when the bucket has no token left. A missing entry is a full bucket.
 */
struct xdplb_rate_bucket {
	__u64 full_again_ns; /* bpf_ktime_get_ns clock */
};

/*
 * farm_timeouts: farm_id -> the farm's own connection timeouts, in seconds;
 * 0 takes the daemon's default from struct xdplb_settings.
 */
struct xdplb_timeouts {
	__u32 unanswered_s;
	__u32 tcp_s;
	__u32 tcp_time_wait_s;
	__u32 tcp_close_s;
	__u32 udp_s;
};

/*
 * conntrack: one entry per direction of a connection, keyed by the packet's
 * tuple as it arrives, holding the tuple to rewrite it to. conntrack_halfopen
 * has the same layout and holds connections until they are confirmed (see
 * docs/connection-table.md); a key is in at most one of the two tables.
 */
struct xdplb_flow_key {
	struct xdplb_addr src;
	struct xdplb_addr dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u8 pad[2];
};

enum xdplb_direction {
	XDPLB_DIR_TO_BACKEND = 0,
	XDPLB_DIR_TO_CLIENT = 1,
	XDPLB_DIR_DSR = 2, /* toward the backend; replies bypass the LB, so no opposite entry */
};

/*
 * How a TCP connection is ending. The end that sends the first FIN holds
 * TIME_WAIT for up to 2 MSL afterwards, and a new connection on its tuple
 * would be refused meanwhile; the other end is done once the close completes.
 */
enum xdplb_closing {
	XDPLB_OPEN = 0,
	XDPLB_FIN_FROM_CLIENT = 1,  /* the backend keeps no TIME_WAIT */
	XDPLB_FIN_FROM_BACKEND = 2, /* the backend holds TIME_WAIT */
	XDPLB_RESET = 3,            /* nothing of the connection remains anywhere */
};

/*
 * The way out the FIB last gave for a flow's rewritten packets, kept in its
 * entry so that an established flow asks the FIB about once a second rather
 * than for every packet (see bpf/lib/next_hop.h).
 */
struct xdplb_next_hop {
	__u8 dst_mac[6];
	__u8 src_mac[6];
	__u32 ifindex;
	__u16 max_l3_bytes; /* the longest packet the FIB let through this way; 0: nothing kept */
	__u16 pad;
};

struct xdplb_flow {
	struct xdplb_addr new_src;
	struct xdplb_addr new_dst;
	__be16 new_sport;
	__be16 new_dport;
	__u32 backend_id;
	__u32 farm_id;
	__u8 direction; /* enum xdplb_direction */
	__u8 closing;   /* enum xdplb_closing, for either direction */
	__u8 replied;   /* the backend has answered */
	__u8 pad;
	__u64 last_seen_ns; /* coarse monotonic clock, refreshed at most once a second */
	struct xdplb_next_hop next_hop;
	/* When the data path last checked this entry (its staleness, its other
	 * half, its next hop), in the low 32 bits of the kernel's jiffies: the
	 * check comes about once a second (bpf/lib/conntrack.h). */
	__u32 checked_jiffies;
};

/*
 * settings: a single entry the control plane may change at run time.
 * An entry idle for longer than its timeout is stale: its tuple may be taken
 * by a new connection (a SNAT port, a backend-side tuple).
 */
struct xdplb_settings {
	__u16 snat_port_min; /* host byte order, inclusive */
	__u16 snat_port_max;
	__u32 unanswered_timeout_s;    /* either protocol: half-open, or never answered */
	__u32 tcp_timeout_s;           /* TCP, open */
	__u32 tcp_time_wait_timeout_s; /* TCP closed first by the backend */
	__u32 tcp_close_timeout_s;     /* TCP closed first by the client, or reset */
	__u32 udp_timeout_s;
};

/* farm_stats and backend_stats: per-CPU, indexed by farm_id / backend_id. */
struct xdplb_traffic {
	__u64 packets;
	__u64 bytes;
};

struct xdplb_stats {
	struct xdplb_traffic to_backend;
	struct xdplb_traffic to_client;
	__u64 connections;
};

/*
 * reason_counters: per-CPU, one counter per reason a packet left the fast path.
 * Names for each value live in the control plane (userspace/dataplane).
 */
enum xdplb_reason {
	XDPLB_PASS_NOT_IP = 0,          /* neither IPv4 nor IPv6: not ours to judge */
	XDPLB_PASS_NOT_TCP_UDP,         /* other IP protocol */
	XDPLB_PASS_FRAGMENT,            /* IP fragment: ports unknown */
	XDPLB_PASS_NO_FARM,             /* no farm and no tracked flow */
	XDPLB_PASS_TCP_NOT_SYN,         /* farm traffic without a flow that is not a SYN */
	XDPLB_PASS_NO_NEIGH,            /* the kernel must resolve the next hop first */
	XDPLB_PASS_NO_ROUTE,            /* the FIB cannot forward it: the stack decides */
	XDPLB_PASS_FRAG_NEEDED,         /* larger than the egress MTU: the stack sends ICMP */
	XDPLB_PASS_EGRESS_NOT_ATTACHED, /* egress interface is not one of lbd's */
	XDPLB_PASS_MALFORMED,           /* truncated or inconsistent: the stack drops it */
	XDPLB_DROP_TTL_EXCEEDED,        /* forwarding would take TTL to zero */
	XDPLB_DROP_NO_BACKEND,          /* the farm has no backend for new connections */
	XDPLB_DROP_SNAT_EXHAUSTED,      /* no free SNAT port toward that backend */
	XDPLB_DROP_NO_SNAT_ADDR,        /* no source address on the egress interface */
	XDPLB_DROP_NAT_COLLISION,       /* the backend-side tuple is already in use */
	XDPLB_DROP_CONNTRACK_INSERT,    /* the connection table refused an entry */
	XDPLB_DROP_FRAGMENT_TO_VIP,     /* see docs/fragments-and-icmp.md */
	XDPLB_DROP_DENIED_SOURCE,       /* the farm's allow/deny lists refuse the source */
	XDPLB_DROP_RATE_LIMITED,        /* the source opens connections too fast */
	XDPLB_DROP_BACKENDS_FULL,       /* every backend the farm would use is at max_connections */
	XDPLB_DROP_DSR_NOT_ON_LINK,     /* DSR: the backend is not on a link of lbd's interfaces */
	XDPLB_DROP_DSR_NO_NEIGH,        /* DSR: the backend's MAC address is not resolved */
	XDPLB_DROP_DSR_TOO_BIG,         /* DSR: larger than the MTU of the link to the backend */
	XDPLB_TX_ICMP_ECHO_REPLY,       /* the LB answered a ping to a VIP */
	XDPLB_FWD_ICMP_ERROR,           /* an ICMP error about a tracked flow, translated */
	XDPLB_NOTE_HALF_EVICTED,        /* not a verdict: a tracked entry whose other half the
					 * full table evicted was forgotten */
	XDPLB_REASON_COUNT,
};

/*
 * Tracing (lbctl trace, docs/trace.md). trace_control is a global variable of
 * the program, which the control plane writes through its memory mapping: the
 * data path reads `enabled` once per packet and does nothing else for tracing
 * while it is 0. When it is set, each packet that passes the farm filter
 * leaves one struct xdplb_trace_event in the trace_events ring buffer.
 */
#define XDPLB_TRACE_RING_BYTES (1 << 20) /* a power of two, as ring buffers must be */

struct xdplb_trace_control {
	__u32 enabled;
	__u32 farm_id;     /* 0: every packet, those of no farm too; else only this farm's */
	__u64 lost_events; /* written by the data path: events the full ring buffer refused */
};

/* struct xdplb_trace_event.reason of a forwarded packet, after enum xdplb_reason's values. */
enum xdplb_trace_reason {
	XDPLB_TRACE_ESTABLISHED = XDPLB_REASON_COUNT, /* a packet of a tracked connection */
	XDPLB_TRACE_NEW_CONNECTION,                   /* the packet that opened a connection */
};

struct xdplb_trace_event {
	__u64 time_ns;              /* bpf_ktime_get_ns: CLOCK_MONOTONIC */
	struct xdplb_flow_key flow; /* as the packet arrived; ports 0 unless TCP or UDP, family 0
				     * unless IP */
	__u32 ifindex;              /* where it arrived */
	__u32 farm_id;              /* 0: none */
	__u32 backend_id;           /* 0: none */
	__u32 frame_bytes;          /* the whole frame */
	__u32 verdict;              /* enum xdp_action */
	__u32 reason;               /* enum xdplb_reason or enum xdplb_trace_reason */
};

#endif /* XDPLB_ABI_H */
