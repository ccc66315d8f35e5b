#include "sync/sequence.hpp"

namespace xdplb::sync {

namespace {

constexpr std::uint64_t kMaxSkewNs = std::chrono::nanoseconds(kMaxClockSkew).count();

}  // namespace

std::uint64_t SequenceClock::next(std::uint64_t now_ns) {
    last_ = now_ns > last_ ? now_ns : last_ + 1;
    return last_;
}

bool ReplayWindow::accept(std::uint64_t sequence, std::uint64_t now_ns) {
    bool near_now = sequence + kMaxSkewNs >= now_ns && sequence <= now_ns + kMaxSkewNs;
    if (!near_now) return false;
    if (sequence > highest_) {
        std::uint64_t shift = sequence - highest_;
        seen_below_ = shift >= kWidth ? 0 : seen_below_ << shift;
        if (highest_ != 0 && shift <= kWidth) seen_below_ |= std::uint64_t{1} << (shift - 1);
        highest_ = sequence;
        return true;
    }
    if (sequence == highest_) return false;
    std::uint64_t distance = highest_ - sequence - 1;  // bit index
    if (distance >= kWidth) return false;
    std::uint64_t bit = std::uint64_t{1} << distance;
    if (seen_below_ & bit) return false;
    seen_below_ |= bit;
    return true;
}

std::uint64_t wall_clock_ns() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

}  // namespace xdplb::sync
