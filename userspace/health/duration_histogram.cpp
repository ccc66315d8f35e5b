#include "health/duration_histogram.hpp"

#include <algorithm>

namespace xdplb::health {

void DurationHistogram::observe(std::chrono::nanoseconds duration) {
    const double seconds = std::chrono::duration<double>(duration).count();
    const auto bucket = std::lower_bound(kBounds.begin(), kBounds.end(), seconds);
    if (bucket != kBounds.end()) ++in_bucket_[static_cast<std::size_t>(bucket - kBounds.begin())];
    ++count_;
    sum_seconds_ += seconds;
}

std::uint64_t DurationHistogram::cumulative_count(std::size_t bound_index) const {
    if (bound_index >= kBounds.size()) return count_;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i <= bound_index; ++i) total += in_bucket_[i];
    return total;
}

}  // namespace xdplb::health
