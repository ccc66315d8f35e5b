// Which backends take new connections, and the table the data plane draws them from.
#pragma once

#include <cstdint>
#include <vector>

#include "model/farm.hpp"

namespace xdplb::model {

// One column of a Vose alias table: keep backend_id with probability
// keep_threshold / 2^32, else take alias_backend_id.
struct SelectionSlot {
    std::uint32_t keep_threshold = 0;
    std::uint32_t backend_id = 0;
    std::uint32_t alias_backend_id = 0;

    friend bool operator==(const SelectionSlot&, const SelectionSlot&) = default;
};

// The backends eligible for new connections: state up, weight above zero, and
// in the lowest priority tier that has any such backend (the others are its
// backups).
std::vector<const Backend*> serving_backends(const Farm& farm);

// An alias table over the serving backends: a uniformly drawn slot followed by
// one threshold test yields each backend with probability weight / sum of
// weights, exact to 2^-32. Empty when no backend serves.
std::vector<SelectionSlot> build_selection_table(const Farm& farm);

}  // namespace xdplb::model
