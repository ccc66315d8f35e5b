// Open-loop pacing: frame n of a run is due n / rate seconds after its start,
// whatever happened to the frames before it. The sender asks how many frames
// are due by now and sends those it has not sent yet.
#pragma once

#include <cstdint>

namespace xdplb::bench {

class PacingSchedule {
public:
    // `rate` frames per second (> 0), `total` frames in the run.
    PacingSchedule(double rate, std::uint64_t total);

    // Frames due at `elapsed_ns` after the start (frame 0 is due at once).
    std::uint64_t due_by(std::uint64_t elapsed_ns) const;
    // When frame `n` is due, in ns after the start.
    std::uint64_t due_at(std::uint64_t n) const;
    std::uint64_t total() const { return total_; }

private:
    double rate_;
    std::uint64_t total_;
};

// Frames a run of `seconds` at `rate` holds: at least one.
std::uint64_t frames_for_duration(double rate, double seconds);

}  // namespace xdplb::bench
