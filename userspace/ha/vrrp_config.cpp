#include "ha/vrrp_config.hpp"

#include <net/if.h>

#include <algorithm>
#include <stdexcept>

#include "ha/vrrp_advert.hpp"

namespace xdplb::ha {

void validate(const RouterConfig& config) {
    auto fail = [](const std::string& why) { throw std::invalid_argument(why); };
    if (config.vrid == 0) fail("vrid must be 1-255");
    if (config.priority == 0) fail("priority must be 1-255 (0 is reserved for a master that leaves)");
    if (config.advert_interval < Centiseconds(1) || config.advert_interval > Centiseconds(kMaxAdvertInterval)) {
        fail("advert interval must be 0.01-40.95 seconds, in steps of 0.01");
    }
    if (config.preempt_delay < std::chrono::milliseconds(0) || config.preempt_delay > kMaxPreemptDelay) {
        fail("preempt delay must be 0-1000 seconds");
    }
    const auto& address = config.primary_address.bytes();
    if (std::all_of(address.begin(), address.end(), [](std::uint8_t byte) { return byte == 0; })) {
        fail("primary address " + config.primary_address.to_string() + " is unspecified");
    }
    for (const std::string& name : config.tracked_interfaces) {
        if (name.empty() || name.size() >= IFNAMSIZ) fail("tracked interface '" + name + "' is not a valid name");
    }
}

}  // namespace xdplb::ha
