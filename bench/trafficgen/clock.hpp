// The clock of the probes: CLOCK_MONOTONIC, which the sender and the receiver
// share because they run on one host.
#pragma once

#include <time.h>

#include <cstdint>

namespace xdplb::bench {

inline std::uint64_t monotonic_ns() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(now.tv_nsec);
}

// Largest number of frames in one run: the receiver keeps a bit per sequence
// number, 32 MiB at most.
inline constexpr std::uint64_t kMaxRunFrames = std::uint64_t{1} << 28;

}  // namespace xdplb::bench
