// A token bucket: how many requests one API connection may send.
#pragma once

#include <chrono>

namespace xdplb::api {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    // `per_second` tokens come back each second, up to `burst`; it starts full.
    RateLimiter(double per_second, double burst, Clock::time_point now = Clock::now());

    // Takes one token if there is one.
    bool take(Clock::time_point now = Clock::now());

private:
    double per_second_;
    double burst_;
    double tokens_;
    Clock::time_point refilled_;
};

}  // namespace xdplb::api
