/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The maps of the data plane. Layouts come from the shared ABI header. */
#ifndef XDPLB_MAPS_H
#define XDPLB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdplb/abi.h>

/*
 * This map and the source lists hold twice what validation allows: a change
 * writes its new entries before it removes the old ones, so that no packet
 * meanwhile finds neither, and one change may replace them all. Allocated as
 * used, not all at load.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * XDPLB_MAX_FARM_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdplb_farm_key);
	__type(value, struct xdplb_farm);
} farms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPLB_MAX_FARMS); /* a farm has one VIP */
	__type(key, struct xdplb_vip_key);
	__type(value, struct xdplb_vip);
} vips SEC(".maps");

/* Not preallocated, so that replacing a table hands readers either the old or
 * the new one, never an element being rewritten in place. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPLB_MAX_FARMS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct xdplb_select_table);
} select_tables SEC(".maps");

/* Replaced whole, like select_tables. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPLB_MAX_FARMS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct xdplb_rr_table);
} rr_tables SEC(".maps");

/* Per CPU: each CPU walks the whole sequence of turns, so the proportions hold
 * without the CPUs contending for one cache line on every new connection. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPLB_MAX_FARMS);
	__type(key, __u32);
	__type(value, __u32);
} rr_cursors SEC(".maps");

/* Replaced whole, like select_tables; 256 KiB each, allocated only for the
 * farms that hash. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPLB_MAX_FARMS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct xdplb_maglev_table);
} maglev_tables SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPLB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xdplb_backend);
} backends SEC(".maps");

/* Sized by the loader before load (lbd --conntrack-size). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPLB_DEFAULT_CONNTRACK_SIZE);
	__type(key, struct xdplb_flow_key);
	__type(value, struct xdplb_flow);
} conntrack SEC(".maps");

/* Connections not confirmed yet, kept apart so that a flood of them evicts
 * only its own kind. Sized by the loader (lbd --halfopen-size). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPLB_DEFAULT_CONNTRACK_SIZE / 4);
	__type(key, struct xdplb_flow_key);
	__type(value, struct xdplb_flow);
} conntrack_halfopen SEC(".maps");

/* Indexed by farm_id; an all-zero entry takes every default from settings. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPLB_MAX_FARMS);
	__type(key, __u32);
	__type(value, struct xdplb_timeouts);
} farm_timeouts SEC(".maps");

/* Whether a prefix matches is all that is asked: the value is a placeholder. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2 * XDPLB_SOURCE_LIST_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdplb_source_prefix_key);
	__type(value, __u8);
} allow_sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2 * XDPLB_SOURCE_LIST_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdplb_source_prefix_key);
	__type(value, __u8);
} deny_sources SEC(".maps");

/* Shared by every CPU, updated without a lock: see docs/protection.md. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPLB_RATE_LIMIT_SOURCES);
	__type(key, struct xdplb_rate_key);
	__type(value, struct xdplb_rate_bucket);
} rate_buckets SEC(".maps");

/* Not per-CPU: max_connections caps the sum over every CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPLB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xdplb_backend_load);
} backend_load SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPLB_PERSISTENCE_SIZE);
	__type(key, struct xdplb_persistence_key);
	__type(value, struct xdplb_persistence);
} persistence SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, XDPLB_MAX_INTERFACES);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdplb_settings);
} settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPLB_MAX_FARMS);
	__type(key, __u32);
	__type(value, struct xdplb_stats);
} farm_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPLB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xdplb_stats);
} backend_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPLB_REASON_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} reason_counters SEC(".maps");

/* Tracing (trace.h): what the control plane asks for, and where events go. */
struct xdplb_trace_control trace_control;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XDPLB_TRACE_RING_BYTES);
} trace_events SEC(".maps");

/*
 * Room for the largest temporaries of one packet. The BPF stack holds 512
 * bytes for the whole call chain; these do not fit next to the rest. XDP runs
 * a packet to completion on one CPU, so one slot per CPU is enough.
 */
struct scratch {
	struct bpf_fib_lookup fib;
	struct xdplb_flow new_flow;
	struct xdplb_flow_key quote_key; /* an ICMP error's flow (icmp.h) */
	struct xdplb_persistence_key persistence_key; /* of a new connection's source */
	struct xdplb_persistence persistence;
	struct xdplb_flow reply_flow; /* claim_reply_tuple's, inside the SNAT port search too */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_space SEC(".maps");

#endif
