// Every checked backend's health, and what it makes of scheduling. Pure:
// the scheduler's results come in with the time, the overlay goes out.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>

#include "health/duration_histogram.hpp"
#include "health/health_state.hpp"
#include "health/serving_overlay.hpp"
#include "model/health_check.hpp"

namespace xdplb::health {

struct BackendHealth {
    model::HealthCheck check;
    HealthState state;
    // Every check's duration is an observation: the last one, and their distribution.
    std::optional<std::chrono::nanoseconds> last_duration;
    DurationHistogram durations;
};

struct Transition {
    std::uint32_t backend_id;
    Health from;
    Health to;
    std::string reason;
};

class HealthTracker {
public:
    // The checks of the configuration, by backend id (type none: not checked).
    // A backend keeps its health while its check targets the same address,
    // port and protocol; a new or retargeted one starts unknown.
    void set_checks(const std::map<std::uint32_t, model::HealthCheck>& checks, TimePoint now);

    // Counts a result of the backend's check; the transition it caused, if any.
    std::optional<Transition> record(std::uint32_t backend_id, const CheckResult& result,
                                     std::chrono::nanoseconds took, TimePoint now);

    // nullptr for a backend that is not checked.
    const BackendHealth* find(std::uint32_t backend_id) const;

    // Down backends, and those whose slow start is still ramping at `now`.
    ServingOverlay overlay(TimePoint now) const;
    bool ramping(TimePoint now) const;

private:
    std::map<std::uint32_t, BackendHealth> backends_;
};

}  // namespace xdplb::health
