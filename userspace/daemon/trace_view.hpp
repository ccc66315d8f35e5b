// The trace command (docs/api.md, "Trace"): what it takes, and each data-path
// event in the model's names. Pure: the events are read by dataplane::TraceEvents.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <xdplb/abi.h>

#include "model/farm.hpp"

namespace xdplb::daemon {

struct TraceRequest {
    std::optional<std::uint32_t> farm_id;  // none: every packet
    std::optional<std::uint64_t> count;    // the stream ends after this many events
    std::optional<std::chrono::milliseconds> duration;  // or after this long
};

// args: optional "farm" (a name), "count" (1-1000000000), "duration" (seconds,
// decimals allowed, 0.001-86400). Throws model::ValidationError.
TraceRequest trace_request_of(const nlohmann::json& args, const model::Config& config);

struct TraceNames {
    std::unordered_map<std::uint32_t, std::string> farms;     // by farm id
    std::unordered_map<std::uint32_t, std::string> backends;  // by backend id
};

TraceNames trace_names_of(const model::Config& config);

// {"time": ..., "ifindex": N, "proto": "tcp", "src": ..., "sport": N, "dst": ..., "dport": N,
//  "farm": ..., "backend": ..., "verdict": "redirect", "reason": "new_connection", "bytes": N}.
// monotonic_zero: the wall-clock time at which CLOCK_MONOTONIC, the events' clock, read 0.
nlohmann::json trace_event_view(const xdplb_trace_event& event, const TraceNames& names,
                                std::chrono::system_clock::time_point monotonic_zero);

}  // namespace xdplb::daemon
