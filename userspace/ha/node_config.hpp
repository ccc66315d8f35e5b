// What lbd runs one VRRP virtual router with: the state machine's settings
// and what the I/O around it needs (lbd's --vrrp-iface and its companions).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.hpp"
#include "ha/virtual_address.hpp"
#include "ha/vrrp_config.hpp"

namespace xdplb::ha {

struct NodeConfig {
    std::string interface;  // adverts go out and come in here
    // Everything but the primary address, which is the interface's own,
    // found when lbd starts.
    RouterConfig router;
    std::vector<VirtualAddress> addresses;      // all of one family, the adverts'
    std::vector<IpAddress> unicast_peers;       // none: multicast
    std::optional<std::string> notify_command;  // run by /bin/sh with the transition as $1...
};

}  // namespace xdplb::ha
