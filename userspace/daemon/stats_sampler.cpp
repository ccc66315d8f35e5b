#include "daemon/stats_sampler.hpp"

namespace xdplb::daemon {

CounterSample read_counters(const dataplane::CountersReader& counters, const model::Config& config) {
    CounterSample sample;
    sample.taken = SampleClock::now();
    for (const model::Farm& farm : config.farms) {
        sample.farms.emplace(farm.id, counters.farm(farm.id));
        for (const model::Backend& backend : farm.backends) {
            sample.backends.emplace(backend.id, counters.backend(backend.id));
        }
    }
    for (auto& [reason, count] : counters.reasons()) sample.reasons.emplace(std::move(reason), count);
    return sample;
}

StatsSampler::Ids StatsSampler::ids_of(const model::Config& config) {
    Ids ids;
    for (const model::Farm& farm : config.farms) {
        ids.farms.insert(farm.id);
        for (const model::Backend& backend : farm.backends) ids.backends.insert(backend.id);
    }
    return ids;
}

StatsSampler::StatsSampler(boost::asio::io_context& io, const dataplane::CountersReader& counters,
                           Controller& controller)
    : counters_(counters), controller_(controller), timer_(io), followed_(ids_of(controller.config())) {
    controller_.on_change([this](const model::Config& config) { follow(config); });
}

void StatsSampler::start() {
    sample();
    timer_.expires_after(kSampleInterval);
    wait();
}

void StatsSampler::sample() { history_.add(read_counters(counters_, controller_.config())); }

// Samples stay a second apart on average even when the loop is late for one.
void StatsSampler::wait() {
    timer_.async_wait([this](const boost::system::error_code& error) {
        if (error) return;
        sample();
        timer_.expires_at(timer_.expiry() + kSampleInterval);
        wait();
    });
}

// The controller sets the counters of an id that a change brings in back to
// zero (a deleted backend's id goes to the next one added). Ids brought back
// by undoing unsaved changes after a failed save keep theirs; they are taken
// as restarted too, and their rates read high for one window.
void StatsSampler::follow(const model::Config& config) {
    Ids now = ids_of(config);
    for (std::uint32_t id : now.farms) {
        if (!followed_.farms.contains(id)) history_.restart_farm(id);
    }
    for (std::uint32_t id : now.backends) {
        if (!followed_.backends.contains(id)) history_.restart_backend(id);
    }
    followed_ = std::move(now);
}

}  // namespace xdplb::daemon
