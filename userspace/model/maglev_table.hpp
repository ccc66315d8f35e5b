// Weighted Maglev consistent hashing: the lookup table that the hash
// scheduler indexes with a connection's hash.
#pragma once

#include <cstdint>
#include <vector>

#include "model/farm.hpp"

namespace xdplb::model {

// A table of `size` slots (a prime) holding the serving backends' ids, each
// backend in a share of the slots proportional to its weight. Each backend
// fills slots in the order of its own permutation of the table, derived from
// its name alone, so the table depends only on the set of serving backends,
// and adding or removing one moves few slots between the others (Eisenbud et
// al., "Maglev", NSDI 2016, section 3.4, with turns in proportion to weight).
// Empty when no backend serves.
std::vector<std::uint32_t> build_maglev_table(const Farm& farm, std::uint32_t size);

}  // namespace xdplb::model
