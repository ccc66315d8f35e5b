#include "pacing.hpp"

#include <gtest/gtest.h>

namespace xdplb::bench {
namespace {

TEST(Pacing, FirstFrameIsDueAtOnce) {
    const PacingSchedule schedule(1000, 10);
    EXPECT_EQ(schedule.due_by(0), 1u);
    EXPECT_EQ(schedule.due_at(0), 0u);
}

TEST(Pacing, FramesFallDueOneIntervalApart) {
    const PacingSchedule schedule(1000, 100);  // one every 1 ms
    EXPECT_EQ(schedule.due_by(999'999), 1u);
    EXPECT_EQ(schedule.due_by(1'000'000), 2u);
    EXPECT_EQ(schedule.due_by(49'500'000), 50u);
    EXPECT_EQ(schedule.due_at(1), 1'000'000u);
    EXPECT_EQ(schedule.due_at(50), 50'000'000u);
}

TEST(Pacing, NeverMoreThanTheTotal) {
    const PacingSchedule schedule(1e6, 500);
    EXPECT_EQ(schedule.due_by(1'000'000'000), 500u);
}

TEST(Pacing, DueAtAndDueByAgree) {
    const PacingSchedule schedule(333'333, 1'000'000);
    for (std::uint64_t n : {1u, 2u, 3u, 1000u, 777'777u}) {
        EXPECT_EQ(schedule.due_by(schedule.due_at(n)), n + 1) << n;
        EXPECT_EQ(schedule.due_by(schedule.due_at(n) - 1), n) << n;
    }
}

TEST(Pacing, ExactForLongFastRuns) {
    // 10 Mpps for 10 minutes: ns × rate is far beyond a double's exact range.
    const PacingSchedule schedule(1e7, 10'000'000'000ull);
    EXPECT_EQ(schedule.due_by(600'000'000'000ull), 6'000'000'001ull);
    EXPECT_EQ(schedule.due_at(6'000'000'000ull), 600'000'000'000ull);
}

TEST(Pacing, FramesForDuration) {
    EXPECT_EQ(frames_for_duration(500'000, 2.5), 1'250'000u);
    EXPECT_EQ(frames_for_duration(10, 0.01), 1u);
}

TEST(Pacing, RefusesAZeroRate) { EXPECT_THROW(PacingSchedule(0, 1), std::invalid_argument); }

}  // namespace
}  // namespace xdplb::bench
