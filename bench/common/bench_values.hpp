// Command-line values the bench's tools share: addresses that must stay in
// the benchmark range, MAC addresses, bounded integers, and an interface's
// own MAC address.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace xdplb::bench {

// A bad command line: the tool prints it as one line and exits 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using MacAddress = std::array<std::uint8_t, 6>;

inline constexpr std::uint32_t kBenchRange = 0xc6120000;      // 198.18.0.0
inline constexpr std::uint32_t kBenchRangeMask = 0xfffe0000;  // /15

inline bool in_bench_range(std::uint32_t address) { return (address & kBenchRangeMask) == kBenchRange; }

// The IPv4 address `text` (host byte order), which must lie in 198.18.0.0/15
// so that nothing a bench tool sends can belong to a real network.
std::uint32_t parse_bench_address(const std::string& option, const std::string& text);

MacAddress parse_mac(const std::string& option, const std::string& text);

// `value` as a T, if it lies in [min, max].
template <typename T>
T in_range(const std::string& option, long long value, long long min, long long max) {
    if (value < min || value > max) {
        throw UsageError("--" + option + " must be " + std::to_string(min) + "-" + std::to_string(max) + ", got " +
                         std::to_string(value));
    }
    return static_cast<T>(value);
}

// The MAC address of `iface` in this network namespace.
MacAddress interface_mac(const std::string& iface);

}  // namespace xdplb::bench
