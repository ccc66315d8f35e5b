#include "pacing.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace xdplb::bench {

PacingSchedule::PacingSchedule(double rate, std::uint64_t total) : rate_(rate), total_(total) {
    if (!(rate > 0)) throw std::invalid_argument("the rate must be positive");
}

// Long double: ns × frames/s exceeds what a double holds exactly once runs
// last minutes at millions of frames per second.
std::uint64_t PacingSchedule::due_by(std::uint64_t elapsed_ns) const {
    const long double due = std::floor(static_cast<long double>(elapsed_ns) * rate_ / 1e9L) + 1;
    return due >= static_cast<long double>(total_) ? total_ : static_cast<std::uint64_t>(due);
}

std::uint64_t PacingSchedule::due_at(std::uint64_t n) const {
    return static_cast<std::uint64_t>(std::ceil(static_cast<long double>(n) * 1e9L / rate_));
}

std::uint64_t frames_for_duration(double rate, double seconds) {
    return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(rate * seconds)));
}

}  // namespace xdplb::bench
