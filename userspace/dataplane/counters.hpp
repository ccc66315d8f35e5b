// Reads the data plane's per-CPU counters and sums them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/program.hpp"

namespace xdplb::dataplane {

struct Traffic {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
};

struct FlowCounters {
    Traffic to_backend;
    Traffic to_client;
    std::uint64_t connections = 0;
};

// The name of every reason a packet leaves the fast path, by enum xdplb_reason.
std::span<const char* const> reason_names();
// The name of an enum xdplb_reason value ("pass_no_farm"), nullptr beyond them.
const char* reason_name(std::uint32_t reason);

class CountersReader {
public:
    explicit CountersReader(const Program& program);

    FlowCounters farm(std::uint32_t farm_id) const;
    FlowCounters backend(std::uint32_t backend_id) const;
    // Every reason a packet left the fast path, by name (e.g. "pass_no_farm").
    std::vector<std::pair<std::string, std::uint64_t>> reasons() const;

private:
    FlowCounters sum_flow_counters(int fd, std::uint32_t id) const;

    int farm_stats_fd_;
    int backend_stats_fd_;
    int reason_counters_fd_;
    std::size_t cpus_;
};

}  // namespace xdplb::dataplane
