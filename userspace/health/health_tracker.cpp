#include "health/health_tracker.hpp"

namespace xdplb::health {

namespace {

bool same_target(const model::HealthCheck& a, const model::HealthCheck& b) {
    return a.type == b.type && a.address == b.address && a.port == b.port;
}

// How far its slow start has ramped at `now`; 1 when it has none running.
double ramp_fraction(const BackendHealth& backend, TimePoint now) {
    const auto recovered = backend.state.recovered_at();
    if (backend.state.health() != Health::up || !recovered || backend.check.slowstart.count() == 0) return 1.0;
    const std::chrono::duration<double> elapsed = now - *recovered;
    return std::min(1.0, elapsed / std::chrono::duration<double>(backend.check.slowstart));
}

}  // namespace

void HealthTracker::set_checks(const std::map<std::uint32_t, model::HealthCheck>& checks, TimePoint now) {
    std::map<std::uint32_t, BackendHealth> next;
    for (const auto& [backend_id, check] : checks) {
        if (check.type == model::CheckType::none) continue;
        auto current = backends_.find(backend_id);
        if (current != backends_.end() && same_target(current->second.check, check)) {
            BackendHealth kept = std::move(current->second);
            kept.state.set_thresholds(check.rise, check.fall);
            kept.check = check;
            next.emplace(backend_id, std::move(kept));
            continue;
        }
        next.emplace(backend_id, BackendHealth{check, HealthState(check.rise, check.fall, now), {}, {}});
    }
    backends_ = std::move(next);
}

std::optional<Transition> HealthTracker::record(std::uint32_t backend_id, const CheckResult& result,
                                                std::chrono::nanoseconds took, TimePoint now) {
    auto found = backends_.find(backend_id);
    if (found == backends_.end()) return std::nullopt;
    BackendHealth& backend = found->second;
    backend.last_duration = took;
    backend.durations.observe(took);
    const Health before = backend.state.health();
    if (!backend.state.record(result, now)) return std::nullopt;
    return Transition{backend_id, before, backend.state.health(), result.reason};
}

const BackendHealth* HealthTracker::find(std::uint32_t backend_id) const {
    auto found = backends_.find(backend_id);
    return found == backends_.end() ? nullptr : &found->second;
}

ServingOverlay HealthTracker::overlay(TimePoint now) const {
    ServingOverlay overlay;
    for (const auto& [backend_id, backend] : backends_) {
        const bool down = backend.state.health() == Health::down;
        const double fraction = ramp_fraction(backend, now);
        if (down || fraction < 1.0) overlay[backend_id] = {backend.check.address, down, fraction};
    }
    return overlay;
}

bool HealthTracker::ramping(TimePoint now) const {
    for (const auto& [backend_id, backend] : backends_) {
        if (ramp_fraction(backend, now) < 1.0) return true;
    }
    return false;
}

}  // namespace xdplb::health
