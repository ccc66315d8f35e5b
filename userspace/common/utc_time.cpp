#include "common/utc_time.hpp"

#include <cstdio>
#include <ctime>

namespace xdplb {

std::string utc_text(std::chrono::system_clock::time_point when) {
    const auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch());
    const std::time_t seconds = since_epoch.count() / 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
    char milliseconds[8];
    std::snprintf(milliseconds, sizeof(milliseconds), ".%03dZ", static_cast<int>(since_epoch.count() % 1000));
    return std::string(text) + milliseconds;
}

}  // namespace xdplb
