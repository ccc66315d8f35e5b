// What one node tells another about its connection and persistence tables.
// Farms and backends are named, not numbered: each node assigns its own ids
// (in the order its farms and backends were added), while names are what the
// operator gives both nodes alike (docs/state-sync.md).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <xdplb/abi.h>

namespace xdplb::sync {

// Byte for byte, padding included (always zero in what the codec makes).
bool operator==(const xdplb_addr& a, const xdplb_addr& b);
bool operator==(const xdplb_flow_key& a, const xdplb_flow_key& b);

enum class SyncTable : std::uint8_t { established = 0, half_open = 1 };

// The part of struct xdplb_flow a peer needs: where the packets of the
// entry's tuple go, and how far the connection has got. The next-hop cache,
// clocks and ids are each node's own.
struct FlowRewrite {
    xdplb_addr new_src{};
    xdplb_addr new_dst{};
    std::uint16_t new_sport = 0;  // network byte order, as in the map
    std::uint16_t new_dport = 0;
    std::uint8_t direction = XDPLB_DIR_TO_BACKEND;  // enum xdplb_direction
    std::uint8_t closing = XDPLB_OPEN;              // enum xdplb_closing
    std::uint8_t replied = 0;

    bool operator==(const FlowRewrite&) const = default;
};

// One half of a connection, as the sender's table holds it now.
struct ConnectionUpdate {
    SyncTable table = SyncTable::established;
    xdplb_flow_key key{};
    FlowRewrite rewrite;
    std::uint32_t idle_ms = 0;  // since its last packet: clocks differ between nodes
    std::string farm;
    std::string backend;

    bool operator==(const ConnectionUpdate&) const = default;
};

// One half of a connection that the sender's tables no longer hold.
struct ConnectionEnd {
    xdplb_flow_key key{};

    bool operator==(const ConnectionEnd&) const = default;
};

struct PersistenceUpdate {
    std::string farm;
    std::uint8_t family = 0;  // AF_INET or AF_INET6
    xdplb_addr source{};
    std::string backend;
    std::uint32_t idle_ms = 0;  // since the source last opened a connection

    bool operator==(const PersistenceUpdate&) const = default;
};

struct PersistenceEnd {
    std::string farm;
    std::uint8_t family = 0;
    xdplb_addr source{};

    bool operator==(const PersistenceEnd&) const = default;
};

using Record = std::variant<ConnectionUpdate, ConnectionEnd, PersistenceUpdate, PersistenceEnd>;

enum class MessageType : std::uint8_t {
    records = 1,          // changes, or a share of a bulk resync
    resync_request = 2,   // "send me everything": a node that joins
    resync_complete = 3,  // the last share of a bulk resync has been sent
};

struct Message {
    MessageType type = MessageType::records;
    std::uint64_t sequence = 0;  // the sender's, strictly increasing (sequence.hpp)
    std::vector<Record> records;

    bool operator==(const Message&) const = default;
};

}  // namespace xdplb::sync
