// Replay protection. A sender numbers its datagrams with the wall clock in
// nanoseconds, kept strictly increasing, so that a restarted sender goes on
// above its old numbers without remembering them. A receiver takes a number
// only once, and only near its own clock: a datagram recorded and sent again
// later is refused, even by a receiver that restarted meanwhile (the nodes'
// clocks are assumed kept within kMaxClockSkew by NTP).
#pragma once

#include <chrono>
#include <cstdint>

namespace xdplb::sync {

inline constexpr std::chrono::seconds kMaxClockSkew{10};

class SequenceClock {
public:
    // The next number: now in ns since the epoch, or the last one plus one.
    std::uint64_t next(std::uint64_t now_ns);

private:
    std::uint64_t last_ = 0;
};

// One sender's numbers seen lately: the highest, and which of the 64 below it.
class ReplayWindow {
public:
    static constexpr std::uint64_t kWidth = 64;

    // Whether `sequence` is new and near `now_ns`; marks it seen if so.
    bool accept(std::uint64_t sequence, std::uint64_t now_ns);

private:
    std::uint64_t highest_ = 0;
    std::uint64_t seen_below_ = 0;  // bit i: highest_ - 1 - i was seen
};

std::uint64_t wall_clock_ns();

}  // namespace xdplb::sync
