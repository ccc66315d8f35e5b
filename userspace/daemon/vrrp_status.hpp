// What the vrrp.status command answers (docs/api.md, "VRRP status"). Pure.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>

#include "ha/vrrp_node.hpp"
#include "sync/sync_status.hpp"

namespace xdplb::daemon {

// `sync`: none when lbd runs without --sync-peer.
nlohmann::json vrrp_status_view(const ha::NodeStatus& status, const std::optional<sync::SyncStatus>& sync);

}  // namespace xdplb::daemon
