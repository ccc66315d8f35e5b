// Latencies of a run in logarithmic buckets (Boost.Histogram), HdrHistogram
// style: constant memory whatever the number of frames, each percentile
// exact to the width of one bucket (kRelativePrecision of its value).
#pragma once

#include <boost/histogram.hpp>
#include <cstdint>
#include <optional>

namespace xdplb::bench {

class LatencyHistogram {
public:
    // 1 ns to 100 s over 2750 buckets: each one reaches 1.0093 times as far as the last.
    static constexpr double kLowestNs = 1;
    static constexpr double kHighestNs = 1e11;
    static constexpr unsigned kBuckets = 2750;
    static constexpr double kRelativePrecision = 0.01;

    LatencyHistogram();

    void record(std::uint64_t ns);
    std::uint64_t count() const { return count_; }
    // The latency that `percent` of the samples do not exceed: the upper edge
    // of the bucket the rank falls in, never above the largest sample.
    // Nothing before the first sample.
    std::optional<double> percentile_ns(double percent) const;
    std::optional<std::uint64_t> max_ns() const;
    std::optional<std::uint64_t> min_ns() const;

private:
    using Axis = boost::histogram::axis::regular<double, boost::histogram::axis::transform::log>;
    boost::histogram::histogram<std::tuple<Axis>> buckets_;
    std::uint64_t count_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
};

}  // namespace xdplb::bench
