// What the sessions commands show (docs/api.md, "Sessions"): the tracked
// connections and persistence entries that match a filter, in the model's
// names. Pure: the entries are read by dataplane::SessionTable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/ip_address.hpp"
#include "dataplane/session_table.hpp"
#include "model/farm.hpp"

namespace xdplb::daemon {

// At most this many of each kind are listed, so that an answer stays well
// within the API's 1 MiB line; the counts cover every match.
inline constexpr std::size_t kMaxListedSessions = 1000;

struct SessionFilter {
    std::optional<std::uint32_t> farm_id;
    std::optional<std::uint32_t> backend_id;
    std::optional<IpAddress> client;  // the client's (persistence: the source's) address
};

struct SessionSnapshot {
    std::vector<dataplane::ConnectionEntry> connections;  // both directions, as read
    std::vector<dataplane::PersistenceEntry> persistence;
    std::unordered_map<std::uint32_t, std::uint32_t> persist_ttl_s;  // by farm_id
    std::uint64_t now_ns = 0;                                         // the data plane's clock
};

// {"connections": [...], "connection_count": N, "persistence": [...], "persistence_count": N}:
// one connection per TO_BACKEND or DSR entry, sorted by farm, client address and port.
nlohmann::json sessions_view(const SessionSnapshot& snapshot, const model::Config& config,
                             const SessionFilter& filter, std::size_t max_listed = kMaxListedSessions);

}  // namespace xdplb::daemon
