// The rise/fall state machine, the health tracker and what health makes of
// the served configuration, on a clock the tests move by hand.
#include <gtest/gtest.h>

#include "health/health_state.hpp"
#include "health/health_tracker.hpp"
#include "health/serving_overlay.hpp"
#include "model/selection_table.hpp"
#include "model_builders.hpp"

namespace xdplb::health {
namespace {

using namespace std::chrono_literals;

const CheckResult kPass{true, "connected"};
const CheckResult kFail{false, "connect: Connection refused"};

class FakeClock {
public:
    TimePoint now() const { return now_; }
    void advance(std::chrono::milliseconds step) { now_ += step; }

private:
    TimePoint now_{std::chrono::hours(1)};
};

TEST(HealthState, UnknownUntilTheFirstResult) {
    FakeClock clock;
    HealthState state(2, 3, clock.now());
    EXPECT_EQ(state.health(), Health::unknown);
    EXPECT_EQ(state.reason(), "not checked yet");
    EXPECT_EQ(state.since(), clock.now());
}

TEST(HealthState, UnknownIsUpAtTheFirstSuccess) {
    FakeClock clock;
    HealthState state(2, 3, clock.now());
    clock.advance(500ms);
    EXPECT_TRUE(state.record(kPass, clock.now()));
    EXPECT_EQ(state.health(), Health::up);
    EXPECT_EQ(state.since(), clock.now());
    EXPECT_FALSE(state.recovered_at()) << "it was never down: no slow start";
}

TEST(HealthState, FallFailuresInARowTakeItDown) {
    FakeClock clock;
    HealthState state(2, 3, clock.now());
    state.record(kPass, clock.now());
    EXPECT_FALSE(state.record(kFail, clock.now()));
    EXPECT_FALSE(state.record(kFail, clock.now()));
    EXPECT_EQ(state.health(), Health::up);
    EXPECT_EQ(state.reason(), kFail.reason);
    clock.advance(1s);
    EXPECT_TRUE(state.record(kFail, clock.now()));
    EXPECT_EQ(state.health(), Health::down);
    EXPECT_EQ(state.since(), clock.now());
}

TEST(HealthState, ASuccessBetweenFailuresStartsTheCountAgain) {
    FakeClock clock;
    HealthState state(2, 3, clock.now());
    for (const CheckResult& result : {kFail, kFail, kPass, kFail, kFail}) state.record(result, clock.now());
    EXPECT_NE(state.health(), Health::down);
    state.record(kFail, clock.now());
    EXPECT_EQ(state.health(), Health::down);
}

TEST(HealthState, UnknownGoesDownAfterFallFailures) {
    FakeClock clock;
    HealthState state(2, 2, clock.now());
    EXPECT_FALSE(state.record(kFail, clock.now()));
    EXPECT_EQ(state.health(), Health::unknown);
    EXPECT_TRUE(state.record(kFail, clock.now()));
    EXPECT_EQ(state.health(), Health::down);
}

TEST(HealthState, RiseSuccessesInARowBringItBackAndStartItsSlowStart) {
    FakeClock clock;
    HealthState state(3, 1, clock.now());
    state.record(kFail, clock.now());
    ASSERT_EQ(state.health(), Health::down);
    for (const CheckResult& result : {kPass, kPass, kFail, kPass, kPass}) state.record(result, clock.now());
    EXPECT_EQ(state.health(), Health::down);
    clock.advance(2s);
    EXPECT_TRUE(state.record(kPass, clock.now()));
    EXPECT_EQ(state.health(), Health::up);
    EXPECT_EQ(state.recovered_at(), clock.now());
}

TEST(HealthState, NewThresholdsApplyFromTheNextResult) {
    FakeClock clock;
    HealthState state(2, 5, clock.now());
    state.record(kPass, clock.now());
    state.record(kFail, clock.now());
    state.set_thresholds(2, 2);
    EXPECT_TRUE(state.record(kFail, clock.now()));
}

model::HealthCheck tcp_check_of(const std::string& address, std::chrono::seconds slowstart = 0s) {
    model::HealthCheck check;
    check.type = model::CheckType::tcp;
    check.address = *IpAddress::parse(address);
    check.port = 80;
    check.rise = 1;
    check.fall = 1;
    check.slowstart = slowstart;
    return check;
}

TEST(HealthTracker, ReportsTransitionsAndDurations) {
    FakeClock clock;
    HealthTracker tracker;
    tracker.set_checks({{7, tcp_check_of("198.18.1.17")}}, clock.now());
    const auto up = tracker.record(7, kPass, 3ms, clock.now());
    ASSERT_TRUE(up);
    EXPECT_EQ(up->from, Health::unknown);
    EXPECT_EQ(up->to, Health::up);
    const auto down = tracker.record(7, kFail, 5ms, clock.now());
    ASSERT_TRUE(down);
    EXPECT_EQ(down->reason, kFail.reason);
    const BackendHealth* backend = tracker.find(7);
    ASSERT_NE(backend, nullptr);
    EXPECT_EQ(backend->durations.count(), 2U);
    EXPECT_EQ(backend->last_duration, 5ms);
    EXPECT_DOUBLE_EQ(backend->durations.sum_seconds(), 0.008);
    EXPECT_FALSE(tracker.record(99, kFail, 1ms, clock.now())) << "not a checked backend";
}

TEST(HealthTracker, KeepsHealthWhileTheTargetStaysAndForgetsItOtherwise) {
    FakeClock clock;
    HealthTracker tracker;
    tracker.set_checks({{1, tcp_check_of("198.18.1.11")}, {2, tcp_check_of("198.18.1.12")}}, clock.now());
    tracker.record(1, kFail, 1ms, clock.now());
    tracker.record(2, kFail, 1ms, clock.now());
    model::HealthCheck slower = tcp_check_of("198.18.1.11");
    slower.interval = 10s;
    tracker.set_checks({{1, slower}, {2, tcp_check_of("198.18.1.99")}}, clock.now());
    EXPECT_EQ(tracker.find(1)->state.health(), Health::down);
    EXPECT_EQ(tracker.find(2)->state.health(), Health::unknown) << "a new address is another server";
    tracker.set_checks({{1, model::HealthCheck{}}}, clock.now());
    EXPECT_EQ(tracker.find(1), nullptr) << "check none: not tracked";
    EXPECT_EQ(tracker.find(2), nullptr);
}

TEST(HealthTracker, OverlayHoldsDownAndRampingBackends) {
    FakeClock clock;
    HealthTracker tracker;
    tracker.set_checks({{1, tcp_check_of("198.18.1.11", 10s)}, {2, tcp_check_of("198.18.1.12", 10s)}}, clock.now());
    tracker.record(1, kPass, 1ms, clock.now());
    tracker.record(2, kFail, 1ms, clock.now());
    ServingOverlay overlay = tracker.overlay(clock.now());
    EXPECT_FALSE(overlay.contains(1)) << "up from unknown: no slow start";
    ASSERT_TRUE(overlay.contains(2));
    EXPECT_TRUE(overlay[2].down);
    EXPECT_FALSE(tracker.ramping(clock.now()));

    tracker.record(2, kPass, 1ms, clock.now());
    clock.advance(2500ms);
    overlay = tracker.overlay(clock.now());
    ASSERT_TRUE(overlay.contains(2));
    EXPECT_FALSE(overlay[2].down);
    EXPECT_DOUBLE_EQ(overlay[2].weight_fraction, 0.25);
    EXPECT_TRUE(tracker.ramping(clock.now()));
    clock.advance(7500ms);
    EXPECT_TRUE(tracker.overlay(clock.now()).empty());
    EXPECT_FALSE(tracker.ramping(clock.now()));
}

using model::testing::farm_of;
using model::testing::scheduled_backend;

std::vector<std::uint32_t> serving_ids(const model::Farm& farm) {
    std::vector<std::uint32_t> ids;
    for (const model::Backend* backend : model::serving_backends(farm)) ids.push_back(backend->id);
    return ids;
}

TEST(ServedConfig, ADownBackendIsOutOfSchedulingLikeMaint) {
    model::Config config{{farm_of({scheduled_backend(1), scheduled_backend(2), scheduled_backend(3, 1, 2)})}};
    const model::Config served =
        served_config(config, {{1, {config.farms[0].backends[0].ip, true, 1.0}}});
    EXPECT_EQ(served.farms[0].backends[0].state, model::AdminState::maint);
    EXPECT_EQ(serving_ids(served.farms[0]), std::vector<std::uint32_t>{2});
    const model::Config all_down = served_config(
        config, {{1, {config.farms[0].backends[0].ip, true, 1.0}}, {2, {config.farms[0].backends[1].ip, true, 1.0}}});
    EXPECT_EQ(serving_ids(all_down.farms[0]), std::vector<std::uint32_t>{3}) << "the backup tier serves";
}

TEST(ServedConfig, ADrainedOrMaintBackendStaysOutWhateverItsHealth) {
    model::Config config{{farm_of({scheduled_backend(1, 1, 1, model::AdminState::maint),
                                   scheduled_backend(2, 1, 1, model::AdminState::drain), scheduled_backend(3)})}};
    const model::Config served = served_config(config, {});
    EXPECT_EQ(serving_ids(served.farms[0]), std::vector<std::uint32_t>{3});
    EXPECT_EQ(served, config) << "nothing down, nothing ramping: served as configured";
}

TEST(ServedConfig, SlowStartScalesTheFarmsWeights) {
    model::Config config{{farm_of({scheduled_backend(1, 1), scheduled_backend(2, 3)})}};
    const model::Config served = served_config(config, {{1, {config.farms[0].backends[0].ip, false, 0.25}}});
    EXPECT_EQ(served.farms[0].backends[0].weight, 25U);
    EXPECT_EQ(served.farms[0].backends[1].weight, 300U);
    const model::Config starting = served_config(config, {{1, {config.farms[0].backends[0].ip, false, 0.0}}});
    EXPECT_EQ(serving_ids(starting.farms[0]), std::vector<std::uint32_t>{2}) << "a ramp starts from 0";
}

TEST(ServedConfig, TheScaleNeverPassesTheLargestWeight) {
    model::Config config{{farm_of({scheduled_backend(1, 1), scheduled_backend(2, model::kMaxWeight)})}};
    const model::Config served = served_config(config, {{1, {config.farms[0].backends[0].ip, false, 0.5}}});
    EXPECT_EQ(served.farms[0].backends[1].weight, model::kMaxWeight);
    EXPECT_EQ(served.farms[0].backends[0].weight, 0U);
}

TEST(ServedConfig, AnEntryForAnotherAddressIsIgnored) {
    model::Config config{{farm_of({scheduled_backend(1), scheduled_backend(2)})}};
    const model::Config served = served_config(config, {{1, {*IpAddress::parse("198.18.9.9"), true, 1.0}}});
    EXPECT_EQ(served, config);
}

TEST(DurationHistogram, CountsEachDurationInTheFirstBucketThatHoldsIt) {
    DurationHistogram histogram;
    histogram.observe(300us);    // <= 0.0005
    histogram.observe(500us);    // exactly on a bound: in that bucket
    histogram.observe(7ms);      // <= 0.01
    histogram.observe(4s);       // above every bound: only in the count
    EXPECT_EQ(histogram.cumulative_count(0), 2U);
    EXPECT_EQ(histogram.cumulative_count(3), 2U) << "<= 0.005";
    EXPECT_EQ(histogram.cumulative_count(4), 3U) << "<= 0.01";
    EXPECT_EQ(histogram.cumulative_count(DurationHistogram::kBounds.size() - 1), 3U);
    EXPECT_EQ(histogram.cumulative_count(DurationHistogram::kBounds.size()), 4U) << "+Inf";
    EXPECT_EQ(histogram.count(), 4U);
    EXPECT_NEAR(histogram.sum_seconds(), 4.0078, 1e-9);
}

}  // namespace
}  // namespace xdplb::health

