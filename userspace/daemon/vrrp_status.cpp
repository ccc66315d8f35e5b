#include "daemon/vrrp_status.hpp"

#include <chrono>

namespace xdplb::daemon {

namespace {

nlohmann::json sync_view(const sync::SyncStatus& sync) {
    nlohmann::json peers = nlohmann::json::array();
    for (const IpAddress& peer : sync.peers) peers.push_back(peer.to_string());
    nlohmann::json last_received;
    if (sync.since_last_received) {
        last_received = std::chrono::duration<double>(*sync.since_last_received).count();
    }
    return {{"state", sync::to_string(sync.state)},
            {"peers", peers},
            {"last_received_s", last_received},
            {"entries", {{"sent", sync.entries.sent},
                         {"received", sync.entries.received},
                         {"rejected", sync.entries.rejected}}}};
}

}  // namespace

nlohmann::json vrrp_status_view(const ha::NodeStatus& status, const std::optional<sync::SyncStatus>& sync) {
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
        {"sync", sync ? sync_view(*sync) : nlohmann::json{{"state", "none"}}},
    };
}

}  // namespace xdplb::daemon
