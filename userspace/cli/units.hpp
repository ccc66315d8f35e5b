// Large counters and rates in a few characters, with decimal (SI) prefixes:
// 1.2k, 3.4 MB, 12.3 Mbit/s.
#pragma once

#include <cstdint>
#include <string>

namespace xdplb::cli {

std::string human_count(std::uint64_t count);  // 999, 1.2k, 3.4M
std::string human_bytes(std::uint64_t bytes);  // 999 B, 1.2 kB, 3.4 MB
std::string human_rate(double per_second);      // 0, 0.4, 999.9, 1.2k
std::string human_bit_rate(double bits_per_second);  // 0 bit/s, 512.0 bit/s, 12.3 Mbit/s

}  // namespace xdplb::cli
