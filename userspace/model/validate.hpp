#pragma once

#include "model/farm.hpp"

namespace xdplb::model {

// Checks every rule that spans objects or depends on data-plane limits: names,
// uniqueness of names and of (VIP, port, protocol), address families, table
// sizes, ids. Throws ValidationError on the first rule broken.
void validate(const Config& config);

}  // namespace xdplb::model
