#include "metrics/families.hpp"

#include <limits>
#include <map>
#include <string_view>

namespace xdplb::metrics {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

// The families a scrape holds, in the order they are written.
struct Families {
    MetricFamily build_info{"xdplb_build_info", "The running lbd's version; always 1.", MetricType::Gauge, {}};
    MetricFamily farm_connections{"xdplb_farm_connections_total", "New connections the farm has scheduled.",
                                  MetricType::Counter, {}};
    MetricFamily farm_packets{"xdplb_farm_packets_total", "Packets of the farm's connections, by direction.",
                              MetricType::Counter, {}};
    MetricFamily farm_bytes{"xdplb_farm_bytes_total", "Bytes (IP packets, headers included) of the farm's connections, by direction.",
                            MetricType::Counter, {}};
    MetricFamily farm_backends_up{"xdplb_farm_backends_up", "Backends of the farm that may receive new connections.",
                                  MetricType::Gauge, {}};
    MetricFamily backend_connections{"xdplb_backend_connections_total",
                                     "New connections scheduled to the backend, each counted once.",
                                     MetricType::Counter, {}};
    MetricFamily backend_packets{"xdplb_backend_packets_total",
                                 "Packets of the backend's connections, by direction.", MetricType::Counter, {}};
    MetricFamily backend_bytes{"xdplb_backend_bytes_total",
                               "Bytes (IP packets, headers included) of the backend's connections, by direction.",
                               MetricType::Counter, {}};
    MetricFamily backend_up{"xdplb_backend_up",
                            "1 when the backend may receive new connections (admin state, health, priority tier).",
                            MetricType::Gauge, {}};
    MetricFamily backend_health{"xdplb_backend_health",
                                "Checked backends: 1 for the state its health checks have put it in (up, down, unknown).",
                                MetricType::Gauge, {}};
    MetricFamily backend_weight{"xdplb_backend_weight",
                                "The weight the scheduler gives the backend now (slow start ramps it).",
                                MetricType::Gauge, {}};
    MetricFamily snat_in_use{"xdplb_snat_ports_in_use", "SNAT ports held by the backend's live connections.",
                             MetricType::Gauge, {}};
    MetricFamily snat_capacity{"xdplb_snat_ports_capacity", "SNAT ports lbd may use toward the backend.",
                               MetricType::Gauge, {}};
    MetricFamily check_duration{"xdplb_health_check_duration_seconds", "How long the backend's health checks took.",
                                MetricType::Histogram, {}};
    MetricFamily conntrack_entries{"xdplb_conntrack_entries",
                                   "Entries in a connection table at its last upkeep walk (two per NAT connection).",
                                   MetricType::Gauge, {}};
    MetricFamily conntrack_capacity{"xdplb_conntrack_capacity", "Entries a connection table holds at most.",
                                    MetricType::Gauge, {}};
    MetricFamily drops{"xdplb_drops_total", "Packets the data path dropped, by reason.", MetricType::Counter, {}};
    MetricFamily passes{"xdplb_passes_total", "Packets the data path handed to the host's stack, by reason.",
                        MetricType::Counter, {}};
    MetricFamily icmp_echo_replies{"xdplb_icmp_echo_replies_total", "Pings to a VIP the data path answered.",
                                   MetricType::Counter, {}};
    MetricFamily icmp_errors{"xdplb_icmp_errors_forwarded_total",
                             "ICMP errors about tracked connections, translated and forwarded.",
                             MetricType::Counter, {}};
    MetricFamily half_evictions{"xdplb_conntrack_half_evictions_total",
                                "Entries forgotten because a full table had evicted their other half.",
                                MetricType::Counter, {}};
    MetricFamily vrrp_state{"xdplb_vrrp_state", "1 for the VRRP state this node is in (init, backup, master, fault).",
                            MetricType::Gauge, {}};
    MetricFamily sync_lag{"xdplb_sync_lag_seconds",
                          "A backup: seconds since its master's last sync datagram (sent at least once a walk); a master: 0.",
                          MetricType::Gauge, {}};
    MetricFamily sync_entries{"xdplb_sync_entries_total",
                              "Connection-state sync records sent to peers, received and installed, or rejected.",
                              MetricType::Counter, {}};

    std::vector<MetricFamily> all() && {
        return {std::move(build_info),      std::move(farm_connections),  std::move(farm_packets),
                std::move(farm_bytes),      std::move(farm_backends_up),  std::move(backend_connections),
                std::move(backend_packets), std::move(backend_bytes),     std::move(backend_up),
                std::move(backend_health),  std::move(backend_weight),    std::move(snat_in_use),
                std::move(snat_capacity),   std::move(check_duration),    std::move(conntrack_entries),
                std::move(conntrack_capacity), std::move(drops),          std::move(passes),
                std::move(icmp_echo_replies),  std::move(icmp_errors),    std::move(half_evictions),
                std::move(vrrp_state),      std::move(sync_lag),          std::move(sync_entries)};
    }
};

void add(MetricFamily& family, Labels labels, double value) {
    ClientMetric metric;
    metric.label = std::move(labels);
    if (family.type == MetricType::Counter) {
        metric.counter.value = value;
    } else {
        metric.gauge.value = value;
    }
    family.metric.push_back(std::move(metric));
}

Labels with(Labels labels, std::string name, std::string value) {
    labels.push_back({std::move(name), std::move(value)});
    return labels;
}

// Packets and bytes, one series per direction.
void add_traffic(MetricFamily& packets, MetricFamily& bytes, const Labels& labels,
                 const dataplane::FlowCounters& counters) {
    for (const auto& [direction, traffic] : {std::pair{"to_backend", counters.to_backend},
                                             std::pair{"to_client", counters.to_client}}) {
        add(packets, with(labels, "direction", direction), static_cast<double>(traffic.packets));
        add(bytes, with(labels, "direction", direction), static_cast<double>(traffic.bytes));
    }
}

void add_histogram(MetricFamily& family, Labels labels, const health::DurationHistogram& durations) {
    ClientMetric metric;
    metric.label = std::move(labels);
    metric.histogram.sample_count = durations.count();
    metric.histogram.sample_sum = durations.sum_seconds();
    const auto& bounds = health::DurationHistogram::kBounds;
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
        const double bound = i < bounds.size() ? bounds[i] : std::numeric_limits<double>::infinity();
        metric.histogram.bucket.push_back({durations.cumulative_count(i), bound});
    }
    family.metric.push_back(std::move(metric));
}

void add_backend(Families& families, const Labels& farm_labels, const BackendSnapshot& backend) {
    const Labels labels = with(farm_labels, "backend", backend.name);
    add(families.backend_connections, labels, static_cast<double>(backend.counters.connections));
    add_traffic(families.backend_packets, families.backend_bytes, labels, backend.counters);
    add(families.backend_up, labels, backend.up ? 1 : 0);
    add(families.backend_weight, labels, backend.weight);
    if (backend.snat_ports_in_use_of_capacity) {
        add(families.snat_in_use, labels, static_cast<double>(backend.snat_ports_in_use_of_capacity->first));
        add(families.snat_capacity, labels, static_cast<double>(backend.snat_ports_in_use_of_capacity->second));
    }
    if (backend.health) {
        for (const char* state : {"up", "down", "unknown"}) {
            add(families.backend_health, with(labels, "state", state), *backend.health == state ? 1 : 0);
        }
    }
    if (backend.check_durations) add_histogram(families.check_duration, labels, *backend.check_durations);
}

void add_farm(Families& families, const FarmSnapshot& farm) {
    const Labels labels{{"farm", farm.name}};
    add(families.farm_connections, labels, static_cast<double>(farm.counters.connections));
    add_traffic(families.farm_packets, families.farm_bytes, labels, farm.counters);
    double up = 0;
    for (const BackendSnapshot& backend : farm.backends) {
        add_backend(families, labels, backend);
        up += backend.up ? 1 : 0;
    }
    add(families.farm_backends_up, labels, up);
}

// The data path's reasons (dataplane/counters.cpp) by the family each belongs
// to: drop_* and pass_* by their reason label, the others a family each.
void add_reason(Families& families, std::string_view reason, double count) {
    constexpr std::string_view kDrop = "drop_", kPass = "pass_";
    if (reason.starts_with(kDrop)) {
        add(families.drops, {{"reason", std::string(reason.substr(kDrop.size()))}}, count);
    } else if (reason.starts_with(kPass)) {
        add(families.passes, {{"reason", std::string(reason.substr(kPass.size()))}}, count);
    } else if (reason == "tx_icmp_echo_reply") {
        add(families.icmp_echo_replies, {}, count);
    } else if (reason == "fwd_icmp_error") {
        add(families.icmp_errors, {}, count);
    } else if (reason == "note_half_evicted") {
        add(families.half_evictions, {}, count);
    }
}

void add_high_availability(Families& families, const MetricsSnapshot& snapshot) {
    if (snapshot.vrrp_state) {
        for (const char* state : {"init", "backup", "master", "fault"}) {
            add(families.vrrp_state, {{"state", state}}, *snapshot.vrrp_state == state ? 1 : 0);
        }
    }
    if (!snapshot.sync) return;
    const SyncSnapshot& sync = *snapshot.sync;
    if (sync.lag_seconds) add(families.sync_lag, {}, *sync.lag_seconds);
    for (const auto& [direction, count] :
         {std::pair{"sent", sync.sent}, std::pair{"received", sync.received}, std::pair{"rejected", sync.rejected}}) {
        add(families.sync_entries, {{"direction", direction}}, static_cast<double>(count));
    }
}

}  // namespace

std::vector<MetricFamily> metric_families(const MetricsSnapshot& snapshot) {
    Families families;
    add(families.build_info, {{"version", snapshot.version}}, 1);
    for (const FarmSnapshot& farm : snapshot.farms) add_farm(families, farm);
    for (const TableOccupancy& table : snapshot.conntrack) {
        add(families.conntrack_entries, {{"table", table.table}}, static_cast<double>(table.entries));
        add(families.conntrack_capacity, {{"table", table.table}}, static_cast<double>(table.capacity));
    }
    for (const auto& [reason, count] : snapshot.reasons) add_reason(families, reason, static_cast<double>(count));
    add_high_availability(families, snapshot);
    return std::move(families).all();
}

}  // namespace xdplb::metrics
