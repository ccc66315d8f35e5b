#include "latency_histogram.hpp"

#include <gtest/gtest.h>

namespace xdplb::bench {
namespace {

// Within the histogram's promised precision of `exact`.
void expect_near_relative(double value, double exact) {
    EXPECT_NEAR(value, exact, exact * LatencyHistogram::kRelativePrecision) << "exact " << exact;
}

TEST(LatencyHistogram, EmptyHasNoPercentiles) {
    const LatencyHistogram histogram;
    EXPECT_EQ(histogram.count(), 0u);
    EXPECT_FALSE(histogram.percentile_ns(50));
    EXPECT_FALSE(histogram.max_ns());
    EXPECT_FALSE(histogram.min_ns());
}

TEST(LatencyHistogram, PercentilesOfAUniformSpread) {
    LatencyHistogram histogram;
    for (std::uint64_t ns = 1; ns <= 100'000; ++ns) histogram.record(ns);
    EXPECT_EQ(histogram.count(), 100'000u);
    expect_near_relative(*histogram.percentile_ns(50), 50'000);
    expect_near_relative(*histogram.percentile_ns(90), 90'000);
    expect_near_relative(*histogram.percentile_ns(99), 99'000);
    expect_near_relative(*histogram.percentile_ns(99.9), 99'900);
    EXPECT_EQ(*histogram.max_ns(), 100'000u);
    EXPECT_EQ(*histogram.min_ns(), 1u);
    EXPECT_EQ(*histogram.percentile_ns(100), 100'000.0);
}

TEST(LatencyHistogram, TailSamplesShowInTheHighPercentiles) {
    LatencyHistogram histogram;
    for (int i = 0; i < 9990; ++i) histogram.record(5'000);
    for (int i = 0; i < 10; ++i) histogram.record(2'000'000);
    expect_near_relative(*histogram.percentile_ns(50), 5'000);
    expect_near_relative(*histogram.percentile_ns(99.9), 5'000);  // rank 9990: still the body
    histogram.record(2'000'000);
    expect_near_relative(*histogram.percentile_ns(99.9), 2'000'000);  // rank 9991 of 10001
}

TEST(LatencyHistogram, OneSampleIsEveryPercentile) {
    LatencyHistogram histogram;
    histogram.record(12'345);
    for (double percent : {0.0, 50.0, 99.9, 100.0}) EXPECT_EQ(*histogram.percentile_ns(percent), 12'345.0);
}

TEST(LatencyHistogram, ZeroAndHugeValuesAreKept) {
    LatencyHistogram histogram;
    histogram.record(0);
    histogram.record(1'000'000'000'000ull);  // beyond the buckets' 100 s
    EXPECT_EQ(*histogram.percentile_ns(50), 0.0);
    EXPECT_EQ(*histogram.percentile_ns(100), 1e12);
}

}  // namespace
}  // namespace xdplb::bench
