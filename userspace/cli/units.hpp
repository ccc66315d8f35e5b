// Large counters in a few characters, with decimal (SI) prefixes: 1.2k, 3.4 MB.
#pragma once

#include <cstdint>
#include <string>

namespace xdplb::cli {

std::string human_count(std::uint64_t count);  // 999, 1.2k, 3.4M
std::string human_bytes(std::uint64_t bytes);  // 999 B, 1.2 kB, 3.4 MB

}  // namespace xdplb::cli
