// lbd's health checking: runs the checks of the configuration's backends
// (health::Scheduler), keeps their health (health::HealthTracker), logs each
// transition with its reason, and has the controller serve what health makes
// of the configuration. Changes are gathered and written once per turn of
// the event loop, so a thousand results never mean a thousand map writes;
// while a slow start ramps, the served weights are rewritten every second.
#pragma once

#include <chrono>
#include <cstdint>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "daemon/controller.hpp"
#include "dataplane/session_table.hpp"
#include "health/health_tracker.hpp"
#include "health/scheduler.hpp"

namespace xdplb::daemon {

inline constexpr std::chrono::seconds kRampStep{1};
// A failed write of the maps is tried again after this long.
inline constexpr std::chrono::seconds kServeRetry{1};

class HealthMonitor {
public:
    // `sessions` cuts the connections of a backend going down in a farm with on_down cut.
    HealthMonitor(boost::asio::io_context& io, Controller& controller, const dataplane::SessionTable& sessions);
    HealthMonitor(const HealthMonitor&) = delete;
    HealthMonitor& operator=(const HealthMonitor&) = delete;

    // Checks the backends of `config` from now on (and of each change the controller commits).
    void follow(const model::Config& config);

    // The backend's health fields for the API: health, health_reason,
    // health_since (UTC, ISO 8601) and health_check_ms (the last check's duration).
    nlohmann::json health_view(std::uint32_t backend_id) const;

    // The tracker holds every check's duration (issue 6 exports them).
    const health::HealthTracker& tracker() const { return tracker_; }

private:
    void on_result(std::uint32_t backend_id, const health::CheckResult& result, std::chrono::nanoseconds took);
    void log_transition(const health::Transition& transition) const;
    void serve_soon();
    void serve();
    void cut_connections(std::uint32_t backend_id);

    boost::asio::io_context& io_;
    Controller& controller_;
    const dataplane::SessionTable& sessions_;
    health::HealthTracker tracker_;
    health::Scheduler scheduler_;
    boost::asio::steady_timer ramp_timer_;
    bool serve_pending_ = false;
};

}  // namespace xdplb::daemon
