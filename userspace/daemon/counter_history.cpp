#include "daemon/counter_history.hpp"

namespace xdplb::daemon {

namespace {

// A counter lower than it was has been restarted since (an id taken by a new
// farm or backend without restart_*): all it holds is new, as Prometheus's
// rate() takes it too.
std::uint64_t rise(std::uint64_t newer, std::uint64_t older) { return newer >= older ? newer - older : newer; }

TrafficRate traffic_rate(const dataplane::Traffic& newer, const dataplane::Traffic& older, double seconds) {
    return {static_cast<double>(rise(newer.packets, older.packets)) / seconds,
            static_cast<double>(rise(newer.bytes, older.bytes)) * 8 / seconds};
}

}  // namespace

void CounterHistory::add(CounterSample sample) {
    samples_.push_back(std::move(sample));
    const SampleClock::time_point newest = samples_.back().taken;
    // How far a sample's age is from the window; samples a second apart
    // give a window of 5 s whichever way each one is a little late.
    auto off = [&](const CounterSample& older) {
        const SampleClock::duration age = newest - older.taken;
        return age > window_ ? age - window_ : window_ - age;
    };
    while (samples_.size() > 2 && off(samples_[1]) < off(samples_[0])) samples_.pop_front();
}

void CounterHistory::restart_farm(std::uint32_t id) {
    for (CounterSample& sample : samples_) sample.farms.erase(id);
}

void CounterHistory::restart_backend(std::uint32_t id) {
    for (CounterSample& sample : samples_) sample.backends.erase(id);
}

std::optional<double> CounterHistory::window_s() const {
    if (samples_.size() < 2) return std::nullopt;
    return std::chrono::duration<double>(samples_.back().taken - samples_.front().taken).count();
}

std::optional<FlowRates> CounterHistory::farm(std::uint32_t id) const { return rates(&CounterSample::farms, id); }

std::optional<FlowRates> CounterHistory::backend(std::uint32_t id) const {
    return rates(&CounterSample::backends, id);
}

std::optional<FlowRates> CounterHistory::rates(ById table, std::uint32_t id) const {
    const std::optional<double> seconds = window_s();
    if (!seconds) return std::nullopt;
    const auto& newest = samples_.back().*table;
    const auto& oldest = samples_.front().*table;
    const auto newer = newest.find(id);
    if (newer == newest.end()) return std::nullopt;
    // An id the oldest sample lacks came later, its counters set to zero.
    const auto found = oldest.find(id);
    const dataplane::FlowCounters older = found == oldest.end() ? dataplane::FlowCounters{} : found->second;
    return FlowRates{static_cast<double>(rise(newer->second.connections, older.connections)) / *seconds,
                     traffic_rate(newer->second.to_backend, older.to_backend, *seconds),
                     traffic_rate(newer->second.to_client, older.to_client, *seconds)};
}

std::optional<double> CounterHistory::reason(const std::string& name) const {
    const std::optional<double> seconds = window_s();
    if (!seconds) return std::nullopt;
    const auto& newest = samples_.back().reasons;
    const auto& oldest = samples_.front().reasons;
    const auto newer = newest.find(name);
    const auto older = oldest.find(name);
    if (newer == newest.end() || older == oldest.end()) return std::nullopt;
    return static_cast<double>(rise(newer->second, older->second)) / *seconds;
}

}  // namespace xdplb::daemon
