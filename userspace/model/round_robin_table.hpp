// The turns of weighted round robin, which the data plane steps through.
#pragma once

#include <cstdint>
#include <vector>

#include "model/farm.hpp"

namespace xdplb::model {

// The serving backends' ids in turn order: each backend has turns in
// proportion to its weight and its turns are spread evenly (smooth weighted
// round robin). The sequence is as long as the weights' sum once divided by
// their greatest common divisor, exact to the weights, when that fits in
// max_length; otherwise max_length long, each backend's share within one turn
// of its exact one. Empty when no backend serves.
std::vector<std::uint32_t> build_round_robin_table(const Farm& farm, std::size_t max_length);

}  // namespace xdplb::model
