// The distribution of a backend's check durations, in fixed buckets, so that
// it costs the same whether a check ran ten times or ten million.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace xdplb::health {

class DurationHistogram {
public:
    // Upper bounds in seconds: a local TCP connect takes a fraction of a
    // millisecond, a slow MySQL login or a check command seconds.
    static constexpr std::array<double, 12> kBounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                    0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

    void observe(std::chrono::nanoseconds duration);

    // Observations no longer than kBounds[i]; the count of all for i == kBounds.size().
    std::uint64_t cumulative_count(std::size_t bound_index) const;
    std::uint64_t count() const { return count_; }
    double sum_seconds() const { return sum_seconds_; }

private:
    std::array<std::uint64_t, kBounds.size()> in_bucket_{};  // not cumulative; above the last bound: only in count_
    std::uint64_t count_ = 0;
    double sum_seconds_ = 0;
};

}  // namespace xdplb::health
