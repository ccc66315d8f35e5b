// The rates of `lbctl stats`: counters sampled every second, averaged over
// the last few seconds, from zero for an id that a new farm or backend took.
#include "daemon/counter_history.hpp"

#include <gtest/gtest.h>

namespace xdplb::daemon {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const SampleClock::time_point kStart{seconds(1000)};

dataplane::FlowCounters counters(std::uint64_t connections, std::uint64_t packets, std::uint64_t bytes) {
    dataplane::FlowCounters flow;
    flow.connections = connections;
    flow.to_backend = {packets, bytes};
    flow.to_client = {packets / 2, bytes * 10};
    return flow;
}

// Farm 1 and backend 7 with these counters, and one reason.
CounterSample sample(SampleClock::duration at, dataplane::FlowCounters flow, std::uint64_t no_farm = 0) {
    CounterSample taken;
    taken.taken = kStart + at;
    taken.farms[1] = flow;
    taken.backends[7] = flow;
    taken.reasons["pass_no_farm"] = no_farm;
    return taken;
}

TEST(CounterHistory, NoRatesFromOneSample) {
    CounterHistory history;
    EXPECT_FALSE(history.window_s());
    history.add(sample(seconds(0), counters(10, 100, 1000)));
    EXPECT_FALSE(history.window_s());
    EXPECT_FALSE(history.farm(1));
    EXPECT_FALSE(history.backend(7));
    EXPECT_FALSE(history.reason("pass_no_farm"));
}

TEST(CounterHistory, RatesOverTheTimeBetweenTheSamples) {
    CounterHistory history;
    history.add(sample(seconds(0), counters(10, 100, 1000), 5));
    history.add(sample(milliseconds(500), counters(12, 150, 3000), 8));
    ASSERT_EQ(history.window_s(), 0.5);
    const std::optional<FlowRates> rates = history.backend(7);
    ASSERT_TRUE(rates);
    EXPECT_DOUBLE_EQ(rates->connections_per_s, 4);
    EXPECT_DOUBLE_EQ(rates->to_backend.packets_per_s, 100);
    EXPECT_DOUBLE_EQ(rates->to_backend.bits_per_s, 2000 * 8 * 2);
    EXPECT_DOUBLE_EQ(rates->to_client.packets_per_s, 50);
    EXPECT_DOUBLE_EQ(rates->to_client.bits_per_s, 20000 * 8 * 2);
    EXPECT_DOUBLE_EQ(history.farm(1)->to_backend.packets_per_s, 100);
    EXPECT_EQ(history.reason("pass_no_farm"), 6);
    EXPECT_FALSE(history.reason("drop_no_backend"));
}

TEST(CounterHistory, KeepsTheSampleClosestToTheWindowOld) {
    CounterHistory history(seconds(5));
    for (int second = 0; second <= 10; ++second) {
        history.add(sample(seconds(second), counters(0, 100 * second * second, 0)));
    }
    // From second 5 (2500 packets) to second 10 (10000).
    ASSERT_EQ(history.window_s(), 5);
    EXPECT_DOUBLE_EQ(history.farm(1)->to_backend.packets_per_s, 1500);
    // A late sample: seconds 6 and 7 are as far from 5 s before it; the older stays.
    history.add(sample(milliseconds(11500), counters(0, 13000, 0)));
    ASSERT_EQ(history.window_s(), 5.5);
    EXPECT_DOUBLE_EQ(history.farm(1)->to_backend.packets_per_s, (13000 - 3600) / 5.5);
}

TEST(CounterHistory, ASampleALittleEarlyDoesNotStretchTheWindowByASecond) {
    CounterHistory history(seconds(5));
    for (int second = 0; second <= 5; ++second) history.add(sample(seconds(second), counters(0, 0, 0)));
    history.add(sample(milliseconds(5999), counters(0, 0, 0)));
    ASSERT_TRUE(history.window_s());
    EXPECT_DOUBLE_EQ(*history.window_s(), 4.999);
}

TEST(CounterHistory, WhileLbdHasRunLessThanTheWindowTheRatesAreOverAllItsSamples) {
    CounterHistory history(seconds(5));
    for (int second = 0; second <= 2; ++second) history.add(sample(seconds(second), counters(0, 10 * second, 0)));
    ASSERT_EQ(history.window_s(), 2);
    EXPECT_DOUBLE_EQ(history.farm(1)->to_backend.packets_per_s, 10);
}

TEST(CounterHistory, AnIdNewerThanTheOldestSampleCountsFromZero) {
    CounterHistory history;
    history.add(sample(seconds(0), counters(0, 0, 0)));
    CounterSample later = sample(seconds(1), counters(0, 0, 0));
    later.backends[8] = counters(3, 30, 300);
    history.add(later);
    ASSERT_TRUE(history.backend(8));
    EXPECT_DOUBLE_EQ(history.backend(8)->to_backend.packets_per_s, 30);
    EXPECT_DOUBLE_EQ(history.backend(8)->connections_per_s, 3);
}

TEST(CounterHistory, AnIdNotInTheNewestSampleHasNoRatesYet) {
    CounterHistory history;
    history.add(sample(seconds(0), counters(1, 1, 1)));
    history.add(sample(seconds(1), counters(1, 1, 1)));
    EXPECT_FALSE(history.backend(8));
    EXPECT_FALSE(history.farm(2));
}

// A backend deleted and another added in its place between two samples: the
// id is the same (the lowest free one), its counters start again from zero,
// and the new backend has already passed the old one's count.
TEST(CounterHistory, ARestartedIdCountsFromZeroNotFromTheFormerOwnersCount) {
    CounterHistory history;
    history.add(sample(seconds(0), counters(50, 500, 5000)));
    history.restart_backend(7);
    history.restart_farm(1);
    history.add(sample(seconds(2), counters(60, 800, 8000)));
    EXPECT_DOUBLE_EQ(history.backend(7)->connections_per_s, 30);
    EXPECT_DOUBLE_EQ(history.backend(7)->to_backend.packets_per_s, 400);
    EXPECT_DOUBLE_EQ(history.farm(1)->to_backend.packets_per_s, 400);
}

TEST(CounterHistory, ACounterThatWentDownWasRestartedAndAllItHoldsIsNew) {
    CounterHistory history;
    history.add(sample(seconds(0), counters(50, 500, 5000), 1000));
    history.add(sample(seconds(2), counters(4, 40, 400), 10));
    const std::optional<FlowRates> rates = history.backend(7);
    ASSERT_TRUE(rates);
    EXPECT_DOUBLE_EQ(rates->connections_per_s, 2);
    EXPECT_DOUBLE_EQ(rates->to_backend.packets_per_s, 20);
    EXPECT_DOUBLE_EQ(rates->to_backend.bits_per_s, 1600);
    EXPECT_EQ(history.reason("pass_no_farm"), 5);
}

TEST(CounterHistory, CountersNearTheTopOfTheirRangeRiseByTheirDifference) {
    CounterHistory history;
    history.add(sample(seconds(0), counters(0, UINT64_MAX - 10, 0)));
    history.add(sample(seconds(1), counters(0, UINT64_MAX, 0)));
    EXPECT_DOUBLE_EQ(history.backend(7)->to_backend.packets_per_s, 10);
}

}  // namespace
}  // namespace xdplb::daemon
