// Everything a scrape shows, read from lbd's parts on its event loop: the
// configuration as served (health applied), the data path's counters, health
// check durations, the connection tables as the last upkeep walk found them,
// and the VRRP node's state and sync's figures when lbd runs them.
#pragma once

#include <cstdint>

#include "daemon/controller.hpp"
#include "daemon/health_monitor.hpp"
#include "daemon/upkeep.hpp"
#include "dataplane/counters.hpp"
#include "dataplane/map_writer.hpp"
#include "ha/vrrp_node.hpp"
#include "metrics/snapshot.hpp"
#include "sync/sync_service.hpp"

namespace xdplb::daemon {

struct TableCapacities {
    std::uint32_t established = 0;
    std::uint32_t half_open = 0;
};

class MetricsGatherer {
public:
    MetricsGatherer(const Controller& controller, const dataplane::CountersReader& counters,
                    const HealthMonitor& health, const Upkeep& upkeep, TableCapacities capacities,
                    dataplane::SnatPortRange snat_ports, const ha::VrrpNode* vrrp = nullptr,
                    const sync::SyncService* sync = nullptr);

    // Throws dataplane::DataPlaneError when a counter cannot be read.
    metrics::MetricsSnapshot gather() const;

private:
    metrics::FarmSnapshot farm_snapshot(const model::Farm& configured, const model::Farm& served,
                                        const health::ServingOverlay& overlay) const;

    const Controller& controller_;
    const dataplane::CountersReader& counters_;
    const HealthMonitor& health_;
    const Upkeep& upkeep_;
    TableCapacities capacities_;
    dataplane::SnatPortRange snat_ports_;
    const ha::VrrpNode* vrrp_;
    const sync::SyncService* sync_;
};

}  // namespace xdplb::daemon
