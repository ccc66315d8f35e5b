// Which sequence numbers of a run have arrived: each frame is the first of
// its number or a duplicate, and a first arrival below the highest number
// seen before it arrived out of order.
#pragma once

#include <cstdint>
#include <vector>

namespace xdplb::bench {

enum class Arrival { first, duplicate };

class SequenceTracker {
public:
    Arrival record(std::uint32_t sequence);

    std::uint64_t unique() const { return unique_; }
    std::uint64_t duplicated() const { return duplicated_; }
    std::uint64_t reordered() const { return reordered_; }
    // Numbers below `count` that never arrived.
    std::uint64_t missing_below(std::uint64_t count) const;

private:
    std::vector<std::uint64_t> seen_;  // one bit per sequence number, grown on demand
    std::uint64_t unique_ = 0;
    std::uint64_t duplicated_ = 0;
    std::uint64_t reordered_ = 0;
    std::int64_t highest_ = -1;
};

}  // namespace xdplb::bench
