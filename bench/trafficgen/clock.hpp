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

inline void sleep_until_ns(std::uint64_t ns) {
    const timespec until{static_cast<time_t>(ns / 1'000'000'000u), static_cast<long>(ns % 1'000'000'000u)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr);
}

// A loop that spins at a real-time priority must leave its CPU now and then:
// the kernel stops real-time tasks that used 95 % of a second
// (sched_rt_runtime_us) for the rest of that second, a 50 ms stall that
// would show in every tail latency and overflow the rings. Resting 16 us
// after every 300 us of spinning stays under that share, in rests short
// enough that the frames arriving during one (some 5 %) wait little: a
// sleep overshoots by some 15 us here.
class SpinBudget {
public:
    static constexpr std::uint64_t kSpinNs = 300'000;
    static constexpr std::uint64_t kRestNs = 16'000;

    // Called on every turn of the loop: rests once the spin is used up.
    void turn(std::uint64_t now_ns) {
        if (now_ns - spin_start_ < kSpinNs) return;
        sleep_until_ns(now_ns + kRestNs);
        spin_start_ = monotonic_ns();
    }
    // The loop slept by itself: its spin starts afresh.
    void rested() { spin_start_ = monotonic_ns(); }

private:
    std::uint64_t spin_start_ = monotonic_ns();
};

// Largest number of frames in one run: the receiver keeps a bit per sequence
// number, 32 MiB at most.
inline constexpr std::uint64_t kMaxRunFrames = std::uint64_t{1} << 28;

}  // namespace xdplb::bench
