// RFC 5798 6.1's skew and master down interval, worked out by hand.
#include "ha/vrrp_timers.hpp"

#include <gtest/gtest.h>

namespace xdplb::ha {
namespace {

using std::chrono::microseconds;

TEST(VrrpTimers, DefaultPriorityAtOneSecond) {
    // (256 - 100) x 1 s / 256 = 0.609375 s; 3 s more for the master down interval.
    EXPECT_EQ(skew_time(100, Centiseconds(100)), microseconds(609'375));
    EXPECT_EQ(master_down_interval(100, Centiseconds(100)), microseconds(3'609'375));
}

TEST(VrrpTimers, TheOwnerHardlySkews) {
    // 1 s / 256 = 3906.25 us.
    EXPECT_EQ(skew_time(255, Centiseconds(100)), microseconds(3'906));
    EXPECT_EQ(master_down_interval(255, Centiseconds(100)), microseconds(3'003'906));
}

TEST(VrrpTimers, NearbyPrioritiesStayApartAtShortIntervals) {
    // At 0.1 s: 6 x 100000 / 256 = 2343.75 us against 2 x 100000 / 256 = 781.25 us,
    // where whole centiseconds would make both 0.
    EXPECT_EQ(skew_time(250, Centiseconds(10)), microseconds(2'343));
    EXPECT_EQ(skew_time(254, Centiseconds(10)), microseconds(781));
    EXPECT_EQ(master_down_interval(250, Centiseconds(10)), microseconds(302'343));
}

TEST(VrrpTimers, TheLongestInterval) {
    // 255 x 40.95 s / 256 = 40.790039... s.
    EXPECT_EQ(skew_time(1, Centiseconds(4095)), microseconds(40'790'039));
    EXPECT_EQ(master_down_interval(1, Centiseconds(4095)), microseconds(163'640'039));
}

}  // namespace
}  // namespace xdplb::ha
