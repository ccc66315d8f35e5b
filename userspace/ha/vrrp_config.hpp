// What one VRRP virtual router of this node is configured with, as far as
// the state machine needs it; the addresses it floats stay with the layer
// that adds them.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include "common/ip_address.hpp"
#include "ha/vrrp_timers.hpp"

namespace xdplb::ha {

inline constexpr std::uint8_t kOwnerPriority = 255;  // owns the addresses: starts as master, always preempts
inline constexpr std::chrono::seconds kMaxPreemptDelay{1000};

struct RouterConfig {
    std::uint8_t vrid = 1;
    std::uint8_t priority = 100;  // 1-255; 0 is the advert of a master leaving
    Centiseconds advert_interval{100};
    bool preempt = true;  // ignored by the owner, which always preempts (RFC 5798 6.1)
    // How long after first hearing a lower-priority master a backup waits
    // before it preempts it: the node settles (routes, sync) first.
    std::chrono::milliseconds preempt_delay{0};
    // The source of this node's adverts; between equal priorities the
    // higher primary address is master.
    IpAddress primary_address;
    // While any of these is down the router is in fault: no adverts, no addresses.
    std::set<std::string> tracked_interfaces;
};

// Throws std::invalid_argument with one line naming the field at fault.
void validate(const RouterConfig& config);

}  // namespace xdplb::ha
