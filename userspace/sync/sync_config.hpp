// What lbd runs connection-state sync with (--sync-peer and its companions).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "common/ip_address.hpp"

namespace xdplb::sync {

inline constexpr std::uint16_t kDefaultSyncPort = 8787;

struct SyncConfig {
    std::vector<IpAddress> peers;  // all of one family; only their datagrams are taken
    std::filesystem::path key_file;
    std::uint16_t port = kDefaultSyncPort;  // bound here, and the peers' port
};

}  // namespace xdplb::sync
