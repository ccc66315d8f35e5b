// lbd's VRRP flags (issue 7): one virtual router, enabled by --vrrp-iface.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include "common/ip_address.hpp"
#include "ha/virtual_address.hpp"
#include "ha/vrrp_config.hpp"

namespace xdplb::daemon {

struct VrrpOptions {
    std::string interface;  // adverts go out and come in here
    // Everything but the primary address, which is the interface's own,
    // found when lbd starts.
    ha::RouterConfig router;
    std::vector<ha::VirtualAddress> addresses;  // all of one family, the adverts'
    std::vector<IpAddress> unicast_peers;       // none: multicast
    std::optional<std::string> notify_command;  // run by /bin/sh with the transition as $1...
};

void add_vrrp_options(boost::program_options::options_description& described);

// nullopt without --vrrp-iface. Throws UsageError with one line: a VRRP flag
// without --vrrp-iface, a value out of range, VIPs or peers of mixed families.
std::optional<VrrpOptions> parse_vrrp_options(const boost::program_options::variables_map& values);

}  // namespace xdplb::daemon
