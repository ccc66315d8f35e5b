// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* xdplb-progbench's harness around the program under test. A repeated
 * BPF_PROG_TEST_RUN hands every repetition the buffer the previous one left,
 * and the program under test rewrites the frames it forwards; so before each
 * repetition this program writes the case's frame back from a template and,
 * for new-flow cases, gives it a source port no earlier repetition used. It
 * then tail-calls the program under test. The same harness around the empty
 * program is the baseline, so the difference is the program's own cost. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "replay_frame.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} program_under_test SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct replay_frame);
} template_frame SEC(".maps");

/* Repetitions so far: a new flow's source port. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} repetitions SEC(".maps");

/* The one's-complement sum stays right when one 16-bit word changes (RFC 1624). */
static __always_inline __u16 checksum_after(__u16 check, __u16 old_word, __u16 new_word)
{
	__u32 sum = (__u16)~check + (__u16)~old_word + new_word;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __always_inline int give_new_source_port(void *data, void *data_end,
						const struct replay_frame *frame)
{
	__u32 zero = 0;
	__u32 *count = bpf_map_lookup_elem(&repetitions, &zero);
	__u32 port_at = frame->source_port_offset & (REPLAY_FRAME_MAX - 2);
	__u32 check_at = frame->l4_check_offset & (REPLAY_FRAME_MAX - 2);
	__u16 *port = data + port_at;
	__u16 *check = data + check_at;

	if (!count || (void *)(port + 1) > data_end || (void *)(check + 1) > data_end)
		return -1;
	__u16 new_port = __builtin_bswap16((__u16)(frame->first_source_port + *count));

	*check = checksum_after(*check, *port, new_port);
	*port = new_port;
	*count += 1;
	return 0;
}

SEC("xdp")
int replay_and_call(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	const struct replay_frame *frame = bpf_map_lookup_elem(&template_frame, &zero);

	if (!frame)
		return XDP_ABORTED;
	/* Whole words, then the last bytes one at a time: each access bounded. */
	for (__u32 i = 0; i < REPLAY_FRAME_MAX / 8; i++) {
		__u64 *word = data + i * 8;

		if ((void *)(word + 1) > data_end)
			break;
		*word = frame->words[i];
	}
	for (__u32 i = 0; i < 8; i++) {
		__u32 at = (((__u32)(data_end - data)) & ~7u) + i;
		__u8 *byte = data + (at & (REPLAY_FRAME_MAX - 1));

		if (at >= REPLAY_FRAME_MAX || (void *)(byte + 1) > data_end)
			break;
		*byte = frame->bytes[at & (REPLAY_FRAME_MAX - 1)];
	}
	if (frame->new_flow_each_run && give_new_source_port(data, data_end, frame) != 0)
		return XDP_ABORTED;
	bpf_tail_call(ctx, &program_under_test, 0);
	return XDP_ABORTED; /* no program under test */
}
