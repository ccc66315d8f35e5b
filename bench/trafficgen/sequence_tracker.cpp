#include "sequence_tracker.hpp"

#include <bit>

namespace xdplb::bench {

Arrival SequenceTracker::record(std::uint32_t sequence) {
    const std::size_t word = sequence / 64;
    const std::uint64_t bit = std::uint64_t{1} << (sequence % 64);
    if (word >= seen_.size()) seen_.resize(word + 1 + seen_.size() / 2, 0);
    if (seen_[word] & bit) {
        ++duplicated_;
        return Arrival::duplicate;
    }
    seen_[word] |= bit;
    ++unique_;
    if (static_cast<std::int64_t>(sequence) < highest_) {
        ++reordered_;
    } else {
        highest_ = sequence;
    }
    return Arrival::first;
}

std::uint64_t SequenceTracker::missing_below(std::uint64_t count) const {
    std::uint64_t present = 0;
    for (std::size_t word = 0; word < seen_.size() && word * 64 < count; ++word) {
        std::uint64_t bits = seen_[word];
        const std::uint64_t end = word * 64 + 64;
        if (end > count) bits &= (std::uint64_t{1} << (count % 64)) - 1;
        present += static_cast<std::uint64_t>(std::popcount(bits));
    }
    return count - present;
}

}  // namespace xdplb::bench
