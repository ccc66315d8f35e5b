#pragma once

#include <cstddef>
#include <string_view>

#include "model/farm.hpp"

namespace xdplb::model {

inline constexpr std::size_t kMaxNameLength = 32;

// A farm's or backend's name: 1-32 characters of A-Z a-z 0-9 _ . -
bool is_valid_name(std::string_view name);

// Checks every rule that spans objects or depends on data-plane limits: names,
// uniqueness of names and of (VIP, port, protocol), address families, table
// sizes, ids. Throws ValidationError on the first rule broken.
void validate(const Config& config);

}  // namespace xdplb::model
