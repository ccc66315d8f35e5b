#include "daemon/health_monitor.hpp"

#include <map>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "common/utc_time.hpp"
#include "health/run_check.hpp"

namespace xdplb::daemon {

namespace {

using nlohmann::json;
using health::Clock;

std::map<std::uint32_t, model::HealthCheck> checks_of(const model::Config& config) {
    std::map<std::uint32_t, model::HealthCheck> checks;
    for (const model::Farm& farm : config.farms) {
        for (const model::Backend& backend : farm.backends) {
            checks.emplace(backend.id, model::resolve_health_check(farm, backend));
        }
    }
    return checks;
}

// A steady-clock instant as the wall-clock time it was, to the millisecond.
std::string utc_text(health::TimePoint when) {
    return xdplb::utc_text(std::chrono::system_clock::now() -
                           std::chrono::duration_cast<std::chrono::system_clock::duration>(Clock::now() - when));
}

// Farm and backend names and the backend's on_down, by backend id.
struct Placement {
    const model::Farm* farm = nullptr;
    const model::Backend* backend = nullptr;
};

Placement find_backend(const model::Config& config, std::uint32_t backend_id) {
    for (const model::Farm& farm : config.farms) {
        for (const model::Backend& backend : farm.backends) {
            if (backend.id == backend_id) return {&farm, &backend};
        }
    }
    return {};
}

}  // namespace

HealthMonitor::HealthMonitor(boost::asio::io_context& io, Controller& controller,
                             const dataplane::SessionTable& sessions)
    : io_(io),
      controller_(controller),
      sessions_(sessions),
      scheduler_(
          io, [this](std::uint32_t id, const health::CheckResult& result, auto took) { on_result(id, result, took); },
          health::run_check),
      ramp_timer_(io) {
    controller_.on_change([this](const model::Config& config) { follow(config); });
}

void HealthMonitor::follow(const model::Config& config) {
    const auto checks = checks_of(config);
    tracker_.set_checks(checks, Clock::now());
    scheduler_.set_checks(checks);
    serve_soon();
}

void HealthMonitor::on_result(std::uint32_t backend_id, const health::CheckResult& result,
                              std::chrono::nanoseconds took) {
    const auto transition = tracker_.record(backend_id, result, took, Clock::now());
    if (!transition) return;
    log_transition(*transition);
    serve_soon();
    const Placement placement = find_backend(controller_.config(), backend_id);
    const bool cut = placement.farm != nullptr && transition->to == health::Health::down &&
                     placement.farm->check.on_down == model::OnDown::cut;
    // After the maps take it out of scheduling: no new connection races the cut.
    if (cut) boost::asio::post(io_, [this, backend_id] { cut_connections(backend_id); });
}

void HealthMonitor::log_transition(const health::Transition& transition) const {
    const Placement placement = find_backend(controller_.config(), transition.backend_id);
    if (placement.farm == nullptr) return;
    const auto level = transition.to == health::Health::down ? spdlog::level::warn : spdlog::level::info;
    spdlog::log(level, "farm {}: backend {} is {} (was {}): {}", placement.farm->name, placement.backend->name,
                to_string(transition.to), to_string(transition.from), transition.reason);
}

void HealthMonitor::serve_soon() {
    if (serve_pending_) return;
    serve_pending_ = true;
    boost::asio::post(io_, [this] { serve(); });
}

void HealthMonitor::serve() {
    serve_pending_ = false;
    const auto now = Clock::now();
    try {
        controller_.serve_health(tracker_.overlay(now));
    } catch (const DataPlaneMismatch&) {
        throw;  // lbd must stop
    } catch (const std::exception& error) {
        spdlog::error("health: cannot update the data plane ({}); trying again", error.what());
        ramp_timer_.expires_after(kServeRetry);
        ramp_timer_.async_wait([this](const boost::system::error_code& failure) {
            if (!failure) serve_soon();
        });
        return;
    }
    if (!tracker_.ramping(now)) return;
    ramp_timer_.expires_after(kRampStep);
    ramp_timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error) serve_soon();
    });
}

void HealthMonitor::cut_connections(std::uint32_t backend_id) {
    const Placement placement = find_backend(controller_.config(), backend_id);
    const health::BackendHealth* health = tracker_.find(backend_id);
    if (placement.farm == nullptr || health == nullptr || health->state.health() != health::Health::down) return;
    try {
        const dataplane::FlushCount removed = sessions_.flush(placement.farm->id, backend_id);
        spdlog::info("farm {}: backend {} down: cut {} connection(s), {} persistence entries", placement.farm->name,
                     placement.backend->name, removed.connections, removed.persistence);
    } catch (const std::exception& error) {
        spdlog::error("farm {}: cannot cut the connections of backend {}: {}", placement.farm->name,
                      placement.backend->name, error.what());
    }
}

json HealthMonitor::health_view(std::uint32_t backend_id) const {
    const health::BackendHealth* backend = tracker_.find(backend_id);
    if (backend == nullptr) {
        return {{"health", "unknown"}, {"health_reason", "not checked"}, {"health_since", nullptr},
                {"health_check_ms", nullptr}};
    }
    json view = {{"health", to_string(backend->state.health())},
                 {"health_reason", backend->state.reason()},
                 {"health_since", utc_text(backend->state.since())},
                 {"health_check_ms", nullptr}};
    if (backend->last_duration) {
        view["health_check_ms"] = std::chrono::duration<double, std::milli>(*backend->last_duration).count();
    }
    return view;
}

}  // namespace xdplb::daemon
