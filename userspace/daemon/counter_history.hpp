// The data plane's counters over the last few seconds, as lbd samples them
// every second (StatsSampler), and the rates they give: what `lbctl stats`
// shows next to the totals. Pure: the samples are read elsewhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "dataplane/counters.hpp"

namespace xdplb::daemon {

using SampleClock = std::chrono::steady_clock;

// Rates are averages over about this long (once lbd has run that long):
// short enough to follow a change within seconds, long enough that one
// second's burst does not make them jump.
inline constexpr std::chrono::seconds kRateWindow{5};

struct CounterSample {
    SampleClock::time_point taken;
    std::unordered_map<std::uint32_t, dataplane::FlowCounters> farms;     // by farm id
    std::unordered_map<std::uint32_t, dataplane::FlowCounters> backends;  // by backend id
    std::map<std::string, std::uint64_t> reasons;                        // by reason name
};

struct TrafficRate {
    double packets_per_s = 0;
    double bits_per_s = 0;
};

struct FlowRates {
    double connections_per_s = 0;
    TrafficRate to_backend;
    TrafficRate to_client;
};

class CounterHistory {
public:
    explicit CounterHistory(SampleClock::duration window = kRateWindow) : window_(window) {}

    // Keeps `sample` (taken after the others) as the newest, and of the older
    // ones the one whose age is closest to the window (the older of two as
    // close), and those after it.
    void add(CounterSample sample);

    // The counters of this id were set back to zero, for a farm or backend
    // that has just taken it: what the samples hold of it was another's.
    // From now on it counts as zero in them, as it would have read then.
    void restart_farm(std::uint32_t id);
    void restart_backend(std::uint32_t id);

    // How long the rates are over, in seconds: from the oldest sample kept to
    // the newest. None until there are two samples.
    std::optional<double> window_s() const;

    // Per second over window_s(). None without a window, or for an id that the
    // newest sample does not hold (it is newer than that sample).
    std::optional<FlowRates> farm(std::uint32_t id) const;
    std::optional<FlowRates> backend(std::uint32_t id) const;
    std::optional<double> reason(const std::string& name) const;

private:
    using ById = std::unordered_map<std::uint32_t, dataplane::FlowCounters> CounterSample::*;
    std::optional<FlowRates> rates(ById table, std::uint32_t id) const;

    SampleClock::duration window_;
    std::deque<CounterSample> samples_;  // oldest first
};

}  // namespace xdplb::daemon
