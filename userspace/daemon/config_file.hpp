// The configuration file lbd --config reads (JSON; examples in configs/).
#pragma once

#include <string>

#include "model/farm.hpp"

namespace xdplb::daemon {

// Reads and fully validates FILE; throws model::ValidationError naming the file
// and, for syntax errors, the line and column. Ids are not assigned.
model::Config read_config_file(const std::string& path);

}  // namespace xdplb::daemon
