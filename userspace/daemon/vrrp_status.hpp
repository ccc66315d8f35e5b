// What the vrrp.status command answers (docs/api.md, "VRRP status"). Pure.
#pragma once

#include <nlohmann/json.hpp>

#include "ha/vrrp_node.hpp"

namespace xdplb::daemon {

nlohmann::json vrrp_status_view(const ha::NodeStatus& status);

}  // namespace xdplb::daemon
