// lbd's VRRP flags (issue 7): one virtual router, enabled by --vrrp-iface.
#pragma once

#include <optional>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include "ha/node_config.hpp"

namespace xdplb::daemon {

void add_vrrp_options(boost::program_options::options_description& described);

// nullopt without --vrrp-iface. Throws UsageError with one line: a VRRP flag
// without --vrrp-iface, a value out of range, VIPs or peers of mixed families.
std::optional<ha::NodeConfig> parse_vrrp_options(const boost::program_options::variables_map& values);

}  // namespace xdplb::daemon
