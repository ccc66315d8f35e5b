#include "latency_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace xdplb::bench {

LatencyHistogram::LatencyHistogram()
    : buckets_(boost::histogram::make_histogram(Axis(kBuckets, kLowestNs, kHighestNs))) {}

void LatencyHistogram::record(std::uint64_t ns) {
    buckets_(static_cast<double>(ns));
    ++count_;
    min_ = std::min(min_, ns);
    max_ = std::max(max_, ns);
}

std::optional<double> LatencyHistogram::percentile_ns(double percent) const {
    if (count_ == 0) return std::nullopt;
    // The tolerance keeps 99.9 % of 10000 at rank 9990, which binary
    // fractions would make 9990.000000000002.
    const double exact_rank = std::clamp(percent, 0.0, 100.0) / 100.0 * static_cast<double>(count_);
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(exact_rank - 1e-6)));
    std::uint64_t below = 0;
    // Underflow (below 1 ns: 0) and overflow buckets included, in order.
    for (auto&& bucket : boost::histogram::indexed(buckets_, boost::histogram::coverage::all)) {
        below += static_cast<std::uint64_t>(*bucket);
        if (below >= rank) {
            if (bucket.index() < 0) return static_cast<double>(min_);
            return std::clamp(bucket.bin().upper(), static_cast<double>(min_), static_cast<double>(max_));
        }
    }
    return static_cast<double>(max_);
}

std::optional<std::uint64_t> LatencyHistogram::max_ns() const {
    return count_ ? std::optional(max_) : std::nullopt;
}

std::optional<std::uint64_t> LatencyHistogram::min_ns() const {
    return count_ ? std::optional(min_) : std::nullopt;
}

}  // namespace xdplb::bench
