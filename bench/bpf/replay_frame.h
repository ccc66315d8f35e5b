/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What xdplb-progbench tells its harness (replay.bpf.c) about a case. */
#ifndef XDPLB_BENCH_REPLAY_FRAME_H
#define XDPLB_BENCH_REPLAY_FRAME_H

#include <linux/types.h>

#define REPLAY_FRAME_MAX 128 /* a power of two: offsets are masked with it */

struct replay_frame {
	union {
		__u64 words[REPLAY_FRAME_MAX / 8];
		__u8 bytes[REPLAY_FRAME_MAX];
	};
	__u32 new_flow_each_run; /* give each repetition a source port of its own */
	__u32 first_source_port; /* host byte order */
	__u32 source_port_offset; /* from the frame's start; both even */
	__u32 l4_check_offset;
};

#endif
