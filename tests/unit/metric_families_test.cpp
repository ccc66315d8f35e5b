#include "metrics/families.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <prometheus/text_serializer.h>

#include "dataplane/counters.hpp"

namespace xdplb::metrics {
namespace {

using namespace std::chrono_literals;

std::string rendered(const MetricsSnapshot& snapshot) {
    return prometheus::TextSerializer().Serialize(metric_families(snapshot));
}

// The lines of `text` that are samples of the family `name` (its own name or name_suffix{...}).
std::string samples_of(const std::string& text, const std::string& name) {
    std::string lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(start, end - start);
        if (line.rfind(name, 0) == 0 && line.size() > name.size() &&
            (line[name.size()] == '{' || line[name.size()] == ' ' || line[name.size()] == '_')) {
            lines += line + "\n";
        }
        start = end + 1;
    }
    return lines;
}

MetricsSnapshot web_farm() {
    MetricsSnapshot snapshot;
    snapshot.version = "0.1.0";
    FarmSnapshot farm{"web", {{10, 1000}, {8, 4000}, 3}, {}};
    BackendSnapshot up;
    up.name = "web1";
    up.counters = {{7, 700}, {5, 2500}, 2};
    up.up = true;
    up.weight = 2;
    up.snat_ports_in_use_of_capacity = {{2, 28232}};
    BackendSnapshot ramping;
    ramping.name = "web2";
    ramping.counters = {{3, 300}, {3, 1500}, 1};
    ramping.up = true;
    ramping.weight = 0.25;
    ramping.snat_ports_in_use_of_capacity = {{1, 28232}};
    health::DurationHistogram durations;
    durations.observe(300us);
    durations.observe(20ms);
    ramping.health = "up";
    ramping.check_durations = durations;
    BackendSnapshot down;
    down.name = "web3";
    farm.backends = {up, ramping, down};
    snapshot.farms = {farm};
    snapshot.conntrack = {{"established", 6, 1000}, {"half_open", 0, 250}};
    snapshot.reasons = {{"pass_no_farm", 4}, {"drop_no_backend", 1}, {"tx_icmp_echo_reply", 2}};
    return snapshot;
}

TEST(MetricFamilies, BackendCountersCarryFarmBackendAndDirection) {
    const std::string text = rendered(web_farm());
    EXPECT_EQ(samples_of(text, "xdplb_backend_connections_total"),
              "xdplb_backend_connections_total{farm=\"web\",backend=\"web1\"} 2\n"
              "xdplb_backend_connections_total{farm=\"web\",backend=\"web2\"} 1\n"
              "xdplb_backend_connections_total{farm=\"web\",backend=\"web3\"} 0\n");
    EXPECT_EQ(samples_of(text, "xdplb_backend_bytes_total"),
              "xdplb_backend_bytes_total{farm=\"web\",backend=\"web1\",direction=\"to_backend\"} 700\n"
              "xdplb_backend_bytes_total{farm=\"web\",backend=\"web1\",direction=\"to_client\"} 2500\n"
              "xdplb_backend_bytes_total{farm=\"web\",backend=\"web2\",direction=\"to_backend\"} 300\n"
              "xdplb_backend_bytes_total{farm=\"web\",backend=\"web2\",direction=\"to_client\"} 1500\n"
              "xdplb_backend_bytes_total{farm=\"web\",backend=\"web3\",direction=\"to_backend\"} 0\n"
              "xdplb_backend_bytes_total{farm=\"web\",backend=\"web3\",direction=\"to_client\"} 0\n");
    EXPECT_EQ(samples_of(text, "xdplb_farm_packets_total"),
              "xdplb_farm_packets_total{farm=\"web\",direction=\"to_backend\"} 10\n"
              "xdplb_farm_packets_total{farm=\"web\",direction=\"to_client\"} 8\n");
}

TEST(MetricFamilies, BackendStateWeightAndFarmTotalOfUpBackends) {
    const std::string text = rendered(web_farm());
    EXPECT_EQ(samples_of(text, "xdplb_backend_up"),
              "xdplb_backend_up{farm=\"web\",backend=\"web1\"} 1\n"
              "xdplb_backend_up{farm=\"web\",backend=\"web2\"} 1\n"
              "xdplb_backend_up{farm=\"web\",backend=\"web3\"} 0\n");
    EXPECT_EQ(samples_of(text, "xdplb_backend_weight"),
              "xdplb_backend_weight{farm=\"web\",backend=\"web1\"} 2\n"
              "xdplb_backend_weight{farm=\"web\",backend=\"web2\"} 0.25\n"
              "xdplb_backend_weight{farm=\"web\",backend=\"web3\"} 0\n");
    EXPECT_EQ(samples_of(text, "xdplb_farm_backends_up"), "xdplb_farm_backends_up{farm=\"web\"} 2\n");
}

TEST(MetricFamilies, HealthIsAStateSetOfCheckedBackendsOnly) {
    EXPECT_EQ(samples_of(rendered(web_farm()), "xdplb_backend_health"),
              "xdplb_backend_health{farm=\"web\",backend=\"web2\",state=\"up\"} 1\n"
              "xdplb_backend_health{farm=\"web\",backend=\"web2\",state=\"down\"} 0\n"
              "xdplb_backend_health{farm=\"web\",backend=\"web2\",state=\"unknown\"} 0\n");
}

TEST(MetricFamilies, SnatPortsOnlyForBackendsOfSnatFarms) {
    const std::string text = rendered(web_farm());
    EXPECT_EQ(samples_of(text, "xdplb_snat_ports_in_use"),
              "xdplb_snat_ports_in_use{farm=\"web\",backend=\"web1\"} 2\n"
              "xdplb_snat_ports_in_use{farm=\"web\",backend=\"web2\"} 1\n");
    EXPECT_EQ(samples_of(text, "xdplb_snat_ports_capacity"),
              "xdplb_snat_ports_capacity{farm=\"web\",backend=\"web1\"} 28232\n"
              "xdplb_snat_ports_capacity{farm=\"web\",backend=\"web2\"} 28232\n");
}

TEST(MetricFamilies, CheckDurationsAreACumulativeHistogramOfCheckedBackendsOnly) {
    const std::string text = rendered(web_farm());
    const std::string labels = "farm=\"web\",backend=\"web2\"";
    const std::string expected_buckets[] = {"0.0005\"} 1", "0.001\"} 1", "0.0025\"} 1", "0.005\"} 1",
                                            "0.01\"} 1",   "0.025\"} 2", "0.05\"} 2",   "0.1\"} 2",
                                            "0.25\"} 2",   "0.5\"} 2",   "1\"} 2",      "2.5\"} 2",
                                            "+Inf\"} 2"};
    std::string expected;
    for (const std::string& bucket : expected_buckets) {
        expected += "xdplb_health_check_duration_seconds_bucket{" + labels + ",le=\"" + bucket + "\n";
    }
    const std::string histogram = samples_of(text, "xdplb_health_check_duration_seconds");
    EXPECT_NE(histogram.find("xdplb_health_check_duration_seconds_count{" + labels + "} 2\n"), std::string::npos)
        << histogram;
    EXPECT_NE(histogram.find("xdplb_health_check_duration_seconds_sum{" + labels + "} 0.0203"), std::string::npos)
        << histogram;
    EXPECT_NE(histogram.find(expected), std::string::npos) << histogram;
    EXPECT_EQ(histogram.find("web1"), std::string::npos) << "web1 is not checked";
}

TEST(MetricFamilies, ReasonsSplitIntoDropsPassesAndTheirOwnFamilies) {
    const std::string text = rendered(web_farm());
    EXPECT_EQ(samples_of(text, "xdplb_drops_total"), "xdplb_drops_total{reason=\"no_backend\"} 1\n");
    EXPECT_EQ(samples_of(text, "xdplb_passes_total"), "xdplb_passes_total{reason=\"no_farm\"} 4\n");
    EXPECT_EQ(samples_of(text, "xdplb_icmp_echo_replies_total"), "xdplb_icmp_echo_replies_total 2\n");
}

TEST(MetricFamilies, EveryDataPathReasonHasExactlyOneSample) {
    for (const char* reason : dataplane::reason_names()) {
        MetricsSnapshot snapshot;
        snapshot.reasons = {{reason, 5}};
        std::size_t samples = 0;
        for (const prometheus::MetricFamily& family : metric_families(snapshot)) {
            if (family.name != "xdplb_build_info") samples += family.metric.size();
        }
        EXPECT_EQ(samples, 1U) << reason;
    }
}

TEST(MetricFamilies, ConntrackOccupancyAndBuildInfo) {
    const std::string text = rendered(web_farm());
    EXPECT_EQ(samples_of(text, "xdplb_conntrack_entries"),
              "xdplb_conntrack_entries{table=\"established\"} 6\n"
              "xdplb_conntrack_entries{table=\"half_open\"} 0\n");
    EXPECT_EQ(samples_of(text, "xdplb_conntrack_capacity"),
              "xdplb_conntrack_capacity{table=\"established\"} 1000\n"
              "xdplb_conntrack_capacity{table=\"half_open\"} 250\n");
    EXPECT_EQ(samples_of(text, "xdplb_build_info"), "xdplb_build_info{version=\"0.1.0\"} 1\n");
}

TEST(MetricFamilies, NoHighAvailabilityFamiliesWithoutVrrpOrSync) {
    const std::string text = rendered(web_farm());
    EXPECT_EQ(samples_of(text, "xdplb_vrrp_state"), "");
    EXPECT_EQ(samples_of(text, "xdplb_sync_lag_seconds"), "");
    EXPECT_EQ(samples_of(text, "xdplb_sync_entries_total"), "");
}

TEST(MetricFamilies, VrrpStateIsAStateSet) {
    MetricsSnapshot snapshot = web_farm();
    snapshot.vrrp_state = "backup";
    EXPECT_EQ(samples_of(rendered(snapshot), "xdplb_vrrp_state"),
              "xdplb_vrrp_state{state=\"init\"} 0\n"
              "xdplb_vrrp_state{state=\"backup\"} 1\n"
              "xdplb_vrrp_state{state=\"master\"} 0\n"
              "xdplb_vrrp_state{state=\"fault\"} 0\n");
}

TEST(MetricFamilies, SyncLagAndEntriesByDirection) {
    MetricsSnapshot snapshot = web_farm();
    snapshot.sync = SyncSnapshot{0.25, 7, 40, 2};
    const std::string text = rendered(snapshot);
    EXPECT_EQ(samples_of(text, "xdplb_sync_lag_seconds"), "xdplb_sync_lag_seconds 0.25\n");
    EXPECT_EQ(samples_of(text, "xdplb_sync_entries_total"),
              "xdplb_sync_entries_total{direction=\"sent\"} 7\n"
              "xdplb_sync_entries_total{direction=\"received\"} 40\n"
              "xdplb_sync_entries_total{direction=\"rejected\"} 2\n");
}

TEST(MetricFamilies, NoLagBeforeAnythingWasReceived) {
    MetricsSnapshot snapshot = web_farm();
    snapshot.sync = SyncSnapshot{std::nullopt, 0, 0, 0};
    const std::string text = rendered(snapshot);
    EXPECT_EQ(samples_of(text, "xdplb_sync_lag_seconds"), "");
    EXPECT_NE(samples_of(text, "xdplb_sync_entries_total"), "");
}

TEST(MetricFamilies, EveryFamilyHasHelpAndAType) {
    const std::string text = rendered(web_farm());
    for (const prometheus::MetricFamily& family : metric_families(web_farm())) {
        EXPECT_NE(text.find("# HELP " + family.name + " "), std::string::npos) << family.name;
        EXPECT_NE(text.find("# TYPE " + family.name + " "), std::string::npos) << family.name;
    }
}

}  // namespace
}  // namespace xdplb::metrics
