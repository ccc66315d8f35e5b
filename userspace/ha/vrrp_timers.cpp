#include "ha/vrrp_timers.hpp"

namespace xdplb::ha {

std::chrono::microseconds skew_time(std::uint8_t priority, Centiseconds master_advert_interval) {
    auto interval = std::chrono::duration_cast<std::chrono::microseconds>(master_advert_interval);
    return interval * (256 - priority) / 256;
}

std::chrono::microseconds master_down_interval(std::uint8_t priority, Centiseconds master_advert_interval) {
    return 3 * std::chrono::duration_cast<std::chrono::microseconds>(master_advert_interval) +
           skew_time(priority, master_advert_interval);
}

}  // namespace xdplb::ha
