#include <gtest/gtest.h>

#include "sync/sequence.hpp"

namespace xdplb::sync {
namespace {

constexpr std::uint64_t kNow = 1'800'000'000'000'000'000;  // ns since the epoch
constexpr std::uint64_t kSkew = std::chrono::nanoseconds(kMaxClockSkew).count();

TEST(SequenceClock, FollowsTheClockAndNeverRepeats) {
    SequenceClock clock;
    EXPECT_EQ(clock.next(kNow), kNow);
    EXPECT_EQ(clock.next(kNow), kNow + 1);
    EXPECT_EQ(clock.next(kNow - 5), kNow + 2);  // the clock stepped back
    EXPECT_EQ(clock.next(kNow + 100), kNow + 100);
}

TEST(ReplayWindow, TakesEachNumberOnce) {
    ReplayWindow window;
    EXPECT_TRUE(window.accept(kNow, kNow));
    EXPECT_FALSE(window.accept(kNow, kNow));
    EXPECT_TRUE(window.accept(kNow + 2, kNow));
    EXPECT_TRUE(window.accept(kNow + 1, kNow));  // late, not seen yet
    EXPECT_FALSE(window.accept(kNow + 1, kNow));
    EXPECT_FALSE(window.accept(kNow, kNow));
}

TEST(ReplayWindow, RefusesWhatFellOutOfTheWindow) {
    ReplayWindow window;
    EXPECT_TRUE(window.accept(kNow, kNow));
    EXPECT_TRUE(window.accept(kNow + ReplayWindow::kWidth, kNow));
    EXPECT_FALSE(window.accept(kNow, kNow));  // seen, and at the window's edge
    EXPECT_TRUE(window.accept(kNow + 1, kNow));
    EXPECT_TRUE(window.accept(kNow + 1000, kNow));
    EXPECT_FALSE(window.accept(kNow + 2, kNow));  // too old to tell: refused
    EXPECT_TRUE(window.accept(kNow + 999, kNow));
}

TEST(ReplayWindow, RefusesNumbersFarFromItsClock) {
    ReplayWindow window;
    EXPECT_FALSE(window.accept(kNow - kSkew - 1, kNow));  // recorded long ago, sent again
    EXPECT_FALSE(window.accept(kNow + kSkew + 1, kNow));
    EXPECT_TRUE(window.accept(kNow - kSkew, kNow));
    EXPECT_TRUE(window.accept(kNow + kSkew, kNow));
}

}  // namespace
}  // namespace xdplb::sync
