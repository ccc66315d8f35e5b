#include "api/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace xdplb::api {
namespace {

using namespace std::chrono_literals;

TEST(ApiRateLimiter, LetsABurstThroughThenTheRate) {
    const RateLimiter::Clock::time_point start{};
    RateLimiter limiter(10, 3, start);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take(start)) << i;
    EXPECT_FALSE(limiter.take(start));
    EXPECT_FALSE(limiter.take(start + 99ms));
    EXPECT_TRUE(limiter.take(start + 100ms));
    EXPECT_FALSE(limiter.take(start + 100ms));
}

TEST(ApiRateLimiter, SavesNoMoreThanTheBurst) {
    const RateLimiter::Clock::time_point start{};
    RateLimiter limiter(10, 3, start);
    const auto later = start + 1h;
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take(later)) << i;
    EXPECT_FALSE(limiter.take(later));
}

TEST(ApiRateLimiter, AClockThatGoesBackGivesNothing) {
    const RateLimiter::Clock::time_point start = RateLimiter::Clock::time_point{} + 1h;
    RateLimiter limiter(10, 1, start);
    EXPECT_TRUE(limiter.take(start));
    EXPECT_FALSE(limiter.take(start - 1s));
    EXPECT_FALSE(limiter.take(start + 50ms));
    EXPECT_TRUE(limiter.take(start + 100ms));
}

}  // namespace
}  // namespace xdplb::api
