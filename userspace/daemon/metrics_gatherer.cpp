#include "daemon/metrics_gatherer.hpp"

#include <algorithm>

#include "model/selection_table.hpp"

namespace xdplb::daemon {

namespace {

// The ports a SNAT farm may use toward one backend: the range on each of its
// source addresses (one when it takes the egress interface's).
std::uint64_t snat_capacity(const model::Farm& farm, dataplane::SnatPortRange ports) {
    const std::uint64_t addresses = std::max<std::size_t>(farm.snat_addrs.size(), 1);
    return addresses * (static_cast<std::uint64_t>(ports.max) - ports.min + 1);
}

metrics::SyncSnapshot sync_snapshot(const sync::SyncStatus& status, bool master) {
    metrics::SyncSnapshot snapshot{std::nullopt, status.entries.sent, status.entries.received,
                                   status.entries.rejected};
    if (master) {
        snapshot.lag_seconds = 0;
    } else if (status.since_last_received) {
        snapshot.lag_seconds = std::chrono::duration<double>(*status.since_last_received).count();
    }
    return snapshot;
}

}  // namespace

MetricsGatherer::MetricsGatherer(const Controller& controller, const dataplane::CountersReader& counters,
                                 const HealthMonitor& health, const Upkeep& upkeep, TableCapacities capacities,
                                 dataplane::SnatPortRange snat_ports, const ha::VrrpNode* vrrp,
                                 const sync::SyncService* sync)
    : controller_(controller),
      counters_(counters),
      health_(health),
      upkeep_(upkeep),
      capacities_(capacities),
      snat_ports_(snat_ports),
      vrrp_(vrrp),
      sync_(sync) {}

metrics::MetricsSnapshot MetricsGatherer::gather() const {
    metrics::MetricsSnapshot snapshot;
    snapshot.version = XDPLB_VERSION;
    const health::ServingOverlay overlay = health_.tracker().overlay(health::Clock::now());
    const model::Config& served = controller_.served();
    for (const model::Farm& farm : controller_.config().farms) {
        const model::Farm* served_farm = served.find_farm(farm.name);
        snapshot.farms.push_back(farm_snapshot(farm, served_farm ? *served_farm : farm, overlay));
    }
    const dataplane::WalkSummary& walk = upkeep_.last_walk();
    snapshot.conntrack = {{"established", walk.established_entries, capacities_.established},
                          {"half_open", walk.half_open_entries, capacities_.half_open}};
    snapshot.reasons = counters_.reasons();
    if (vrrp_) snapshot.vrrp_state = ha::to_string(vrrp_->state());
    if (sync_) snapshot.sync = sync_snapshot(sync_->status(), vrrp_ && vrrp_->state() == ha::State::master);
    return snapshot;
}

metrics::FarmSnapshot MetricsGatherer::farm_snapshot(const model::Farm& configured, const model::Farm& served,
                                                     const health::ServingOverlay& overlay) const {
    metrics::FarmSnapshot farm{configured.name, counters_.farm(configured.id), {}};
    const std::vector<const model::Backend*> serving = model::serving_backends(served);
    for (const model::Backend& backend : configured.backends) {
        metrics::BackendSnapshot view;
        view.name = backend.name;
        view.counters = counters_.backend(backend.id);
        view.up = std::any_of(serving.begin(), serving.end(),
                              [&backend](const model::Backend* other) { return other->id == backend.id; });
        const auto ramp = overlay.find(backend.id);
        view.weight = backend.weight * (ramp == overlay.end() ? 1.0 : ramp->second.weight_fraction);
        if (configured.mode == model::Mode::snat) {
            view.snat_ports_in_use_of_capacity = {upkeep_.last_census().snat_ports_of(backend.id),
                                                  snat_capacity(configured, snat_ports_)};
        }
        if (const health::BackendHealth* checked = health_.tracker().find(backend.id)) {
            view.health = health::to_string(checked->state.health());
            view.check_durations = checked->durations;
        }
        farm.backends.push_back(std::move(view));
    }
    return farm;
}

}  // namespace xdplb::daemon
