// What lbctl vrrp status and the metrics show of connection-state sync.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/ip_address.hpp"
#include "sync/resync.hpp"

namespace xdplb::sync {

// Records, each counted once per peer it went to or came from.
struct EntryCounts {
    std::uint64_t sent = 0;
    std::uint64_t received = 0;  // installed
    std::uint64_t rejected = 0;  // refused by the installer, or in a replayed datagram
};

struct SyncStatus {
    SyncState state = SyncState::resyncing;
    std::vector<IpAddress> peers;
    // Since the last datagram a peer sent (a master sends one every walk).
    std::optional<SteadyClock::duration> since_last_received;
    EntryCounts entries;
};

}  // namespace xdplb::sync
