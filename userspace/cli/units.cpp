#include "cli/units.hpp"

#include <array>
#include <cstdio>

namespace xdplb::cli {

namespace {

struct Scaled {
    double number;
    const char* prefix;
};

Scaled scale(double value) {
    static constexpr std::array<const char*, 7> kPrefixes = {"", "k", "M", "G", "T", "P", "E"};
    std::size_t prefix = 0;
    // 999.95 would print as 1000.0; move up a prefix before that happens.
    while (value >= 999.95 && prefix + 1 < kPrefixes.size()) {
        value /= 1000;
        ++prefix;
    }
    return {value, kPrefixes[prefix]};
}

std::string one_decimal(double number) {
    char text[16];
    std::snprintf(text, sizeof text, "%.1f", number);
    return text;
}

// Below a thousand a count is shown whole, a rate with its decimal; a rate of zero as 0.
std::string scaled_text(double value, bool whole_below_a_thousand, const char* separator, const char* unit) {
    const Scaled scaled = scale(value);
    const bool whole = value == 0 || (whole_below_a_thousand && value < 1000);
    return (whole ? std::to_string(static_cast<std::uint64_t>(value)) : one_decimal(scaled.number)) + separator +
           scaled.prefix + unit;
}

}  // namespace

std::string human_count(std::uint64_t count) { return scaled_text(static_cast<double>(count), true, "", ""); }

std::string human_bytes(std::uint64_t bytes) { return scaled_text(static_cast<double>(bytes), true, " ", "B"); }

std::string human_rate(double per_second) { return scaled_text(per_second, false, "", ""); }

std::string human_bit_rate(double bits_per_second) { return scaled_text(bits_per_second, false, " ", "bit/s"); }

}  // namespace xdplb::cli
