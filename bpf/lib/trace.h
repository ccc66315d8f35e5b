/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Tracing: each packet's decision (lbctl trace, docs/trace.md). The decision
 * is noted in struct packet where it is made (leave() notes the reason), and
 * sent once, at the end of the program, only while someone traces: an
 * untraced packet pays the stores of the notes, one load and one branch.
 */
#ifndef XDPLB_TRACE_H
#define XDPLB_TRACE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "maps.h"
#include "parse.h"

static __always_inline void note_flow(struct packet *pkt, const struct xdplb_flow *flow)
{
	pkt->farm_id = flow->farm_id;
	pkt->backend_id = flow->backend_id;
}

static __always_inline void note_forwarded(struct packet *pkt, const struct xdplb_flow *flow,
					   bool new_connection)
{
	note_flow(pkt, flow);
	pkt->reason = new_connection ? XDPLB_TRACE_NEW_CONNECTION : XDPLB_TRACE_ESTABLISHED;
}

/* A subprogram of its own, so that the untraced path carries none of its code
 * or registers. */
static __noinline void send_trace_event(struct xdp_md *ctx, const struct packet *pkt,
					__u32 verdict)
{
	__u32 only_farm = trace_control.farm_id;

	if (only_farm != 0 && only_farm != pkt->farm_id)
		return;

	struct xdplb_trace_event *event =
		bpf_ringbuf_reserve(&trace_events, sizeof(*event), 0);

	if (!event) {
		__sync_fetch_and_add(&trace_control.lost_events, 1);
		return;
	}
	event->time_ns = bpf_ktime_get_ns();
	event->flow = pkt->key;
	event->ifindex = ctx->ingress_ifindex;
	event->farm_id = pkt->farm_id;
	event->backend_id = pkt->backend_id;
	event->frame_bytes = ctx->data_end - ctx->data;
	event->verdict = verdict;
	event->reason = pkt->reason;
	bpf_ringbuf_submit(event, 0);
}

static __always_inline int traced(struct xdp_md *ctx, const struct packet *pkt, int verdict)
{
	if (trace_control.enabled)
		send_trace_event(ctx, pkt, verdict);
	return verdict;
}

#endif
