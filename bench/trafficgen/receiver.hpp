// The `receive` role: an AF_XDP socket on the far side of the bench, fed by
// bench/bpf/xsk_receiver.bpf.c, that reads the probes of one run: which
// sequence numbers arrived (lost, duplicated, reordered) and how long each
// took. The run ends shortly after its end marker arrives.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "latency_histogram.hpp"
#include "sequence_tracker.hpp"

namespace xdplb::bench {

struct ReceiveOptions {
    std::string iface;
    std::uint32_t run_id = 0;
    double timeout_seconds = 60;
    std::string ready_file;  // created once frames can arrive; empty: none
};

struct ReceiveReport {
    std::optional<std::uint64_t> sent;  // from the end marker; nothing if none came
    SequenceTracker sequences;
    LatencyHistogram latency;  // one sample per sequence number, at its first arrival
    std::uint64_t foreign = 0;  // frames of other runs, or no probe at all
    // Frames the receiver itself lost (its rings were full), of any run: a
    // loss they account for is the bench's, not the load balancer's.
    std::uint64_t receiver_dropped = 0;
};

// Receives until the run's end marker and a drain time after it, the timeout,
// or `stop`.
ReceiveReport receive_frames(const ReceiveOptions& options, const std::atomic<bool>& stop);

}  // namespace xdplb::bench
