#include "cli/units.hpp"

#include <array>
#include <cstdio>

namespace xdplb::cli {

namespace {

struct Scaled {
    std::string number;
    std::string prefix;
};

Scaled scale(std::uint64_t value) {
    static constexpr std::array<const char*, 7> kPrefixes = {"", "k", "M", "G", "T", "P", "E"};
    if (value < 1000) {
        return {std::to_string(value), ""};
    }
    double scaled = static_cast<double>(value);
    std::size_t prefix = 0;
    // 999.95 would print as 1000.0; move up a prefix before that happens.
    while (scaled >= 999.95 && prefix + 1 < kPrefixes.size()) {
        scaled /= 1000;
        ++prefix;
    }
    char number[16];
    std::snprintf(number, sizeof number, "%.1f", scaled);
    return {number, kPrefixes[prefix]};
}

}  // namespace

std::string human_count(std::uint64_t count) {
    const Scaled scaled = scale(count);
    return scaled.number + scaled.prefix;
}

std::string human_bytes(std::uint64_t bytes) {
    const Scaled scaled = scale(bytes);
    return scaled.number + " " + scaled.prefix + "B";
}

}  // namespace xdplb::cli
