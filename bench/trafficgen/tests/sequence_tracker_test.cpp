#include "sequence_tracker.hpp"

#include <gtest/gtest.h>

namespace xdplb::bench {
namespace {

TEST(SequenceTracker, InOrderArrivalsAreAllFirstAndNothingIsMissing) {
    SequenceTracker tracker;
    for (std::uint32_t n = 0; n < 1000; ++n) EXPECT_EQ(tracker.record(n), Arrival::first);
    EXPECT_EQ(tracker.unique(), 1000u);
    EXPECT_EQ(tracker.duplicated(), 0u);
    EXPECT_EQ(tracker.reordered(), 0u);
    EXPECT_EQ(tracker.missing_below(1000), 0u);
    EXPECT_EQ(tracker.missing_below(1010), 10u);
}

TEST(SequenceTracker, CountsDuplicatesOnce) {
    SequenceTracker tracker;
    tracker.record(5);
    EXPECT_EQ(tracker.record(5), Arrival::duplicate);
    EXPECT_EQ(tracker.record(5), Arrival::duplicate);
    EXPECT_EQ(tracker.unique(), 1u);
    EXPECT_EQ(tracker.duplicated(), 2u);
}

TEST(SequenceTracker, LateFirstArrivalsAreReordered) {
    SequenceTracker tracker;
    for (std::uint32_t n : {0u, 2u, 1u, 3u, 6u, 4u, 5u}) tracker.record(n);
    EXPECT_EQ(tracker.reordered(), 3u);  // 1, 4 and 5 came after a higher number
    EXPECT_EQ(tracker.missing_below(7), 0u);
}

TEST(SequenceTracker, MissingNumbersAcrossWords) {
    SequenceTracker tracker;
    for (std::uint32_t n = 0; n < 200; ++n) {
        if (n != 3 && n != 64 && n != 127 && n != 199) tracker.record(n);
    }
    EXPECT_EQ(tracker.missing_below(200), 4u);
    EXPECT_EQ(tracker.missing_below(64), 1u);
    EXPECT_EQ(tracker.missing_below(65), 2u);
    EXPECT_EQ(tracker.missing_below(0), 0u);
}

TEST(SequenceTracker, HighNumbersFirst) {
    SequenceTracker tracker;
    tracker.record(1'000'000);
    tracker.record(0);
    EXPECT_EQ(tracker.unique(), 2u);
    EXPECT_EQ(tracker.reordered(), 1u);
    EXPECT_EQ(tracker.missing_below(1'000'001), 999'999u);
}

}  // namespace
}  // namespace xdplb::bench
