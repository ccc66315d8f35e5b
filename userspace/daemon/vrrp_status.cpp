#include "daemon/vrrp_status.hpp"

namespace xdplb::daemon {

nlohmann::json vrrp_status_view(const ha::NodeStatus& status) {
    nlohmann::json addresses = nlohmann::json::array();
    for (const ha::VirtualAddress& address : status.addresses) addresses.push_back(address.to_string());
    return {
        {"state", ha::to_string(status.state)},
        {"interface", status.interface},
        {"vrid", status.vrid},
        {"priority", status.priority},
        {"master", status.master_address ? nlohmann::json(status.master_address->to_string()) : nlohmann::json()},
        {"advert_interval", static_cast<double>(status.master_advert_interval.count()) / 100.0},
        {"vips", addresses},
        // Connection-state sync does not exist yet.
        {"sync", "none"},
    };
}

}  // namespace xdplb::daemon
