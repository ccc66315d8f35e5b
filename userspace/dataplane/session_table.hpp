// The connection and persistence tables as user space sees them: read chunk
// by chunk, judged by the data path's own timeout rules, listed, flushed and
// pruned. The data path keeps writing them meanwhile, and an LRU table may
// evict any entry at any time: an entry read may be gone a moment later.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <xdplb/abi.h>

#include "dataplane/map_writer.hpp"
#include "dataplane/program.hpp"

namespace xdplb::dataplane {

// The connection tables, both with the conntrack layout: established
// connections, and half-open ones, which live by the unanswered timeout until
// their client confirms them (bpf/lib/conntrack.h).
enum class TableKind { established, half_open };

struct ConnectionTable {
    int fd;
    TableKind kind;
};

template <class Key, class Value>
struct MapEntry {
    Key key;
    Value value;
};

using FlowEntry = MapEntry<xdplb_flow_key, xdplb_flow>;

// A connection-table entry and the table it was read from.
struct ConnectionEntry : FlowEntry {
    TableKind table = TableKind::established;
};
using PersistenceEntry = MapEntry<xdplb_persistence_key, xdplb_persistence>;

// How a table is read: BPF_MAP_LOOKUP_BATCH, or key by key for kernels
// without batch operations on the map type.
enum class ReadMethod { batch, key_by_key };

// Reads a map a chunk at a time; deleting entries between chunks is safe.
// Entries added meanwhile may or may not be seen; none is taken twice.
template <class Key, class Value>
class MapCursor {
public:
    using Entry = MapEntry<Key, Value>;

    MapCursor(int map_fd, ReadMethod method);

    // Appends about `limit` entries to `out` (a batch read takes whole hash
    // buckets: a few more may come). Returns false once the whole map has
    // been read (the last entries may come with that answer).
    // Throws DataPlaneError.
    bool read_chunk(std::vector<Entry>& out, std::uint32_t limit);

private:
    bool read_batch(std::vector<Entry>& out, std::uint32_t limit);
    bool read_key_by_key(std::vector<Entry>& out, std::uint32_t limit);

    int fd_;
    ReadMethod method_;
    bool started_ = false;
    std::uint64_t batch_token_ = 0;  // where the kernel's batch read resumes (opaque)
    // Key by key:
    Key last_key_{};
    bool has_last_key_ = false;
    std::uint64_t keys_left_ = 0;
    std::unordered_set<std::string> seen_;  // the bytes of every key taken
    std::vector<Key> keys_;
    std::vector<Value> values_;
};

// Deletes one entry; one that vanished meanwhile (LRU eviction, the data
// path) is not an error. Returns whether this call deleted it.
// Throws DataPlaneError.
bool delete_map_entry(int fd, const void* key);
template <class Key>
bool delete_entry(int fd, const Key& key) {
    return delete_map_entry(fd, &key);
}
// Creates or replaces one entry. Throws DataPlaneError.
void write_map_entry(int fd, const void* key, const void* value);
template <class Key, class Value>
void write_entry(int fd, const Key& key, const Value& value) {
    write_map_entry(fd, &key, &value);
}

// The clock of bpf_ktime_get_coarse_ns, which stamps last_seen_ns.
std::uint64_t data_plane_clock_ns();

// ------------------------------------------------ the data path's rules, in C++
// The connection timeouts are dataplane::Settings's (lbd --timeout-*), with
// a farm's own in place of those it sets.
Settings with_farm_timeouts(Settings defaults, const xdplb_timeouts& own);

// The entry that stands for its connection: the one toward the backend.
// A TO_CLIENT entry is the other half of one.
bool leads_to_backend(const xdplb_flow& flow);
// As flow_is_stale in bpf/lib/conntrack.h: idle at least its timeout. A clock
// ahead of `now_ns` (refreshed meanwhile) is fresh.
std::uint32_t timeout_s(const xdplb_flow& flow, std::uint8_t proto, TableKind table, const Settings& timeouts);
bool is_stale(const xdplb_flow& flow, std::uint8_t proto, TableKind table, std::uint64_t now_ns,
              const Settings& timeouts);
std::uint64_t idle_seconds(std::uint64_t last_seen_ns, std::uint64_t now_ns);
// "unanswered", "half-open" (answered, not confirmed by the client yet),
// "open", "closing-by-client", "closing-by-backend" or "reset".
std::string_view state_name(const xdplb_flow& flow, TableKind table);

// Each backend's live established connections, counted over one walk of the
// tables, as the data path counts them for max_connections: half-open ones
// are not (see bpf/lib/backend_load.h). Also the SNAT ports each backend's
// live connections hold, half-open ones included: a port is taken at the SYN.
class BackendCensus {
public:
    BackendCensus();
    // Counts the entry when it is a live connection toward a backend, or the
    // SNAT half of one. Returns whether it is stale (then it is not counted).
    bool judge(const FlowEntry& entry, TableKind table, std::uint64_t now_ns, const Settings& timeouts);
    std::uint64_t connections_of(std::uint32_t backend_id) const;
    std::uint64_t snat_ports_of(std::uint32_t backend_id) const;

private:
    std::vector<std::uint64_t> connections_;  // by backend_id
    std::vector<std::uint64_t> snat_ports_;   // by backend_id
};

// What to write into backend_load for a backend: the census, plus what the
// data path added while the walk ran (connections opened after the walk
// passed their slot). A connection opened during the walk may be counted
// twice for one walk: a cap errs on the safe side.
std::uint64_t load_to_write(std::uint64_t census, std::uint64_t load_before_walk, std::uint64_t load_after_walk);

// ------------------------------------------------------------ listing, flushing
struct FlushCount {
    std::uint64_t connections = 0;  // each counted once, whatever its halves
    std::uint64_t persistence = 0;
};

class SessionTable {
public:
    explicit SessionTable(const Program& program, ReadMethod method = ReadMethod::batch);

    // Every entry of every connection table, both directions. Throws DataPlaneError.
    std::vector<ConnectionEntry> connections() const;
    std::vector<PersistenceEntry> persistence_entries() const;
    // farm_id -> persist_ttl_s, as the farms map holds it.
    std::unordered_map<std::uint32_t, std::uint32_t> persistence_ttls() const;

    // Removes every connection entry (either direction) and persistence entry
    // of the farm, or of one of its backends. Throws DataPlaneError.
    FlushCount flush(std::uint32_t farm_id, std::optional<std::uint32_t> backend_id) const;

private:
    std::vector<ConnectionTable> tables_;
    int persistence_fd_;
    int farms_fd_;
    ReadMethod method_;
};

// ------------------------------------------------------------------ upkeep
struct WalkSummary {
    std::uint64_t entries = 0;          // read in every table
    std::uint64_t live_connections = 0; // counted toward their backends
    std::uint64_t stale_deleted = 0;
    // The entries left in each table once the stale ones are deleted.
    std::uint64_t established_entries = 0;
    std::uint64_t half_open_entries = 0;
};

// Told of every live entry a walk reads, and of the walk's end: the
// connection-state sync compares them with what its peers were told, so that
// it costs the data path nothing (docs/state-sync.md).
class WalkListener {
public:
    virtual ~WalkListener() = default;
    // `timeout_s`: how long the entry may stay idle (its farm's timeouts).
    virtual void live_entry(const ConnectionEntry& entry, std::uint32_t timeout_s) = 0;
    virtual void walk_finished() = 0;
};

// One walk over the connection tables, taken a chunk at a time so that a
// large table never holds up lbd's event loop: recounts each backend's live
// connections into backend_load and deletes stale entries, so that the count
// and the table's occupancy reflect the connections that still live.
class ConnectionUpkeep {
public:
    ConnectionUpkeep(const Program& program, const Settings& settings, ReadMethod method = ReadMethod::batch);

    // Starts a walk (abandoning an unfinished one).
    void begin();
    // Walks up to `limit` more entries. Returns true when the walk is over
    // and backend_load written. Throws DataPlaneError.
    bool step(std::uint32_t limit);
    // begin() and every step().
    WalkSummary walk_all();

    const WalkSummary& last_walk() const { return finished_; }
    const BackendCensus& last_census() const { return finished_census_; }

    // None by default; `listener` must outlive the walks.
    void set_listener(WalkListener* listener) { listener_ = listener; }

private:
    // The timeouts of a farm's connections, as read at the walk's start.
    const Settings& timeouts_for(std::uint32_t farm_id) const;
    void read_farm_timeouts();
    std::vector<std::uint64_t> read_loads() const;
    void write_loads();
    void delete_if_still_stale(const ConnectionTable& table, const xdplb_flow_key& key);

    std::vector<ConnectionTable> tables_;
    int load_fd_;
    int farm_timeouts_fd_;
    Settings settings_;
    std::vector<Settings> farm_timeouts_;  // by farm_id
    ReadMethod method_;

    std::size_t table_ = 0;
    std::optional<MapCursor<xdplb_flow_key, xdplb_flow>> cursor_;
    BackendCensus census_;
    std::vector<std::uint64_t> loads_before_;
    std::vector<FlowEntry> chunk_;
    WalkSummary current_;
    WalkSummary finished_;
    BackendCensus finished_census_;
    WalkListener* listener_ = nullptr;
};

}  // namespace xdplb::dataplane
