// What a scrape shows, gathered on lbd's event loop in one go so that every
// figure of a scrape belongs to the same configuration: plain values, no
// references into lbd's live state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/counters.hpp"
#include "health/duration_histogram.hpp"

namespace xdplb::metrics {

struct BackendSnapshot {
    std::string name;
    dataplane::FlowCounters counters;
    bool up = false;      // may receive new connections now
    double weight = 0;    // the weight the scheduler uses now (ramped by slow start)
    // SNAT farms only: the ports its live connections hold, out of those lbd may use toward it.
    std::optional<std::pair<std::uint64_t, std::uint64_t>> snat_ports_in_use_of_capacity;
    std::optional<std::string> health;                          // checked backends only: up, down or unknown
    std::optional<health::DurationHistogram> check_durations;  // checked backends only
};

struct FarmSnapshot {
    std::string name;
    dataplane::FlowCounters counters;
    std::vector<BackendSnapshot> backends;
};

struct TableOccupancy {
    std::string table;  // "established" or "half_open"
    std::uint64_t entries = 0;
    std::uint64_t capacity = 0;
};

// Connection-state sync (lbd --sync-peer).
struct SyncSnapshot {
    // A backup: seconds since its master's last datagram (one per walk at
    // least); a master: 0; none before anything was received.
    std::optional<double> lag_seconds;
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t rejected = 0;
};

struct MetricsSnapshot {
    std::string version;
    std::vector<FarmSnapshot> farms;
    std::vector<TableOccupancy> conntrack;
    // Every reason a packet left the fast path (dataplane::CountersReader::reasons).
    std::vector<std::pair<std::string, std::uint64_t>> reasons;
    std::optional<std::string> vrrp_state;  // with --vrrp-iface: init, backup, master or fault
    std::optional<SyncSnapshot> sync;
};

}  // namespace xdplb::metrics
