// Times as the API shows them.
#pragma once

#include <chrono>
#include <string>

namespace xdplb {

// "2026-11-21T10:32:37.125Z".
std::string utc_text(std::chrono::system_clock::time_point when);

}  // namespace xdplb
