// What the stats command answers: totals read for the request, rates from
// lbd's samples (null until it has two), reasons only for all farms.
#include "daemon/stats.hpp"

#include <gtest/gtest.h>

#include "model_builders.hpp"

namespace xdplb::daemon {
namespace {

using nlohmann::json;
using model::testing::backend;
using std::chrono::seconds;

model::Config web_config() {
    model::Farm web;
    web.id = 1;
    web.name = "web";
    web.backends = {backend("web1", "198.18.1.11", 11), backend("web2", "198.18.1.12", 12)};
    return {{web}};
}

dataplane::FlowCounters flow(std::uint64_t connections, std::uint64_t packets) {
    dataplane::FlowCounters counters;
    counters.connections = connections;
    counters.to_backend = {packets, packets * 100};
    counters.to_client = {packets * 2, packets * 1000};
    return counters;
}

// web and web1 carry the same counts; web2 none.
CounterSample sample_at(int second, std::uint64_t connections, std::uint64_t packets) {
    CounterSample sample;
    sample.taken = SampleClock::time_point(seconds(second));
    sample.farms[1] = flow(connections, packets);
    sample.backends[11] = flow(connections, packets);
    sample.backends[12] = flow(0, 0);
    sample.reasons = {{"pass_no_farm", packets}, {"drop_no_backend", 0}};
    return sample;
}

TEST(StatsView, TotalsWithTheirRates) {
    CounterHistory history;
    history.add(sample_at(0, 10, 100));
    history.add(sample_at(2, 14, 300));
    const json view = stats_view(web_config(), sample_at(3, 15, 350), history, true);
    EXPECT_EQ(view["rate_window_s"], 2.0);
    ASSERT_EQ(view["farms"].size(), 1u);
    const json& web = view["farms"][0];
    EXPECT_EQ(web["name"], "web");
    EXPECT_EQ(web["connections"], 15);
    EXPECT_EQ(web["connections_per_s"], 2.0);
    EXPECT_EQ(web["to_backend"], json({{"packets", 350}, {"bytes", 35000}, {"packets_per_s", 100.0},
                                       {"bits_per_s", 100.0 * 100 * 8}}));
    EXPECT_EQ(web["to_client"], json({{"packets", 700}, {"bytes", 350000}, {"packets_per_s", 200.0},
                                      {"bits_per_s", 100.0 * 1000 * 8}}));
    ASSERT_EQ(web["backends"].size(), 2u);
    EXPECT_EQ(web["backends"][0]["name"], "web1");
    EXPECT_EQ(web["backends"][0]["to_backend"]["packets_per_s"], 100.0);
    EXPECT_EQ(web["backends"][1]["name"], "web2");
    EXPECT_EQ(web["backends"][1]["connections_per_s"], 0.0);
    EXPECT_EQ(view["reasons"], json({{"drop_no_backend", 0}, {"pass_no_farm", 350}}));
    EXPECT_EQ(view["reasons_per_s"], json({{"drop_no_backend", 0.0}, {"pass_no_farm", 100.0}}));
}

TEST(StatsView, RatesAreNullBeforeTheSecondSample) {
    CounterHistory history;
    history.add(sample_at(0, 10, 100));
    const json view = stats_view(web_config(), sample_at(0, 10, 100), history, true);
    EXPECT_TRUE(view["rate_window_s"].is_null());
    const json& web = view["farms"][0];
    EXPECT_EQ(web["connections"], 10);
    EXPECT_TRUE(web["connections_per_s"].is_null());
    EXPECT_TRUE(web["to_backend"]["packets_per_s"].is_null());
    EXPECT_TRUE(web["to_client"]["bits_per_s"].is_null());
    EXPECT_TRUE(web["backends"][0]["to_backend"]["bits_per_s"].is_null());
    EXPECT_TRUE(view["reasons_per_s"]["pass_no_farm"].is_null());
}

TEST(StatsView, ABackendAddedSinceTheLastSampleHasTotalsButNoRates) {
    model::Config config = web_config();
    config.farms[0].backends.push_back(backend("web3", "198.18.1.13", 13));
    CounterHistory history;
    history.add(sample_at(0, 10, 100));
    history.add(sample_at(1, 10, 100));
    CounterSample now = sample_at(1, 11, 101);
    now.backends[13] = flow(1, 1);
    const json web3 = stats_view(config, now, history, true)["farms"][0]["backends"][2];
    EXPECT_EQ(web3["name"], "web3");
    EXPECT_EQ(web3["connections"], 1);
    EXPECT_TRUE(web3["connections_per_s"].is_null());
}

TEST(StatsView, WithoutReasonsWhenAskedForOneFarm) {
    CounterHistory history;
    const json view = stats_view(web_config(), sample_at(0, 1, 1), history, false);
    EXPECT_FALSE(view.contains("reasons"));
    EXPECT_FALSE(view.contains("reasons_per_s"));
    EXPECT_EQ(view["farms"].size(), 1u);
}

}  // namespace
}  // namespace xdplb::daemon
