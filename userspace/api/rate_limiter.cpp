#include "api/rate_limiter.hpp"

#include <algorithm>

namespace xdplb::api {

RateLimiter::RateLimiter(double per_second, double burst, Clock::time_point now)
    : per_second_(per_second), burst_(burst), tokens_(burst), refilled_(now) {}

bool RateLimiter::take(Clock::time_point now) {
    if (now > refilled_) {
        const std::chrono::duration<double> elapsed = now - refilled_;
        tokens_ = std::min(burst_, tokens_ + elapsed.count() * per_second_);
        refilled_ = now;
    }
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

}  // namespace xdplb::api
