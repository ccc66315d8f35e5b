#include "dataplane/session_table.hpp"

#include <netinet/in.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace xdplb::dataplane {

namespace {

constexpr std::uint64_t kNsPerSecond = 1'000'000'000;
// Entries per read of a whole table: a few syscalls per thousand entries.
constexpr std::uint32_t kReadChunk = 4096;
// A batch read takes whole hash buckets: room for a few, however small the
// chunk asked for, and a bound on growing it for a bucket that will not fit.
constexpr std::uint32_t kMinBatch = 64;
constexpr std::uint32_t kMaxBatch = 1 << 20;
// The kernel's ENOTSUPP (not in user-space headers): a map type without batch operations.
constexpr int kKernelNotSupported = 524;

std::string error_text(int error) { return std::strerror(error < 0 ? -error : error); }

bool batch_unsupported(int error) {
    return error == -EINVAL || error == -EOPNOTSUPP || error == -kKernelNotSupported;
}

std::uint32_t max_entries_of(int fd) {
    bpf_map_info info{};
    __u32 length = sizeof(info);
    if (int error = bpf_obj_get_info_by_fd(fd, &info, &length); error != 0) {
        throw DataPlaneError("cannot read a map's size: " + error_text(error));
    }
    return info.max_entries;
}

template <class Key, class Value>
std::vector<MapEntry<Key, Value>> read_whole(int fd, ReadMethod method) {
    MapCursor<Key, Value> cursor(fd, method);
    std::vector<MapEntry<Key, Value>> entries;
    while (cursor.read_chunk(entries, kReadChunk)) {
    }
    return entries;
}

std::vector<ConnectionTable> connection_tables(const Program& program) {
    return {{program.map_fd("conntrack"), TableKind::established},
            {program.map_fd("conntrack_halfopen"), TableKind::half_open}};
}

}  // namespace

bool delete_map_entry(int fd, const void* key) {
    int error = bpf_map_delete_elem(fd, key);
    if (error == 0) return true;
    if (error == -ENOENT) return false;
    throw DataPlaneError("cannot delete a table entry: " + error_text(error));
}

void write_map_entry(int fd, const void* key, const void* value) {
    if (int error = bpf_map_update_elem(fd, key, value, BPF_ANY); error != 0)
        throw DataPlaneError("cannot write a table entry: " + error_text(error));
}

// ------------------------------------------------------------------ MapCursor
template <class Key, class Value>
MapCursor<Key, Value>::MapCursor(int map_fd, ReadMethod method) : fd_(map_fd), method_(method) {}

template <class Key, class Value>
bool MapCursor<Key, Value>::read_chunk(std::vector<Entry>& out, std::uint32_t limit) {
    if (limit == 0) return true;
    if (method_ == ReadMethod::batch) return read_batch(out, limit);
    return read_key_by_key(out, limit);
}

template <class Key, class Value>
bool MapCursor<Key, Value>::read_batch(std::vector<Entry>& out, std::uint32_t limit) {
    // A hash map's batch read returns whole buckets and refuses (ENOSPC) a
    // buffer too small for the next one: the buffer grows until it fits.
    for (std::uint32_t room = std::max(limit, kMinBatch);; room *= 2) {
        keys_.resize(room);
        values_.resize(room);
        std::uint64_t next_token = 0;
        __u32 count = room;
        int error = bpf_map_lookup_batch(fd_, started_ ? &batch_token_ : nullptr, &next_token, keys_.data(),
                                         values_.data(), &count, nullptr);
        if (error == -ENOSPC && count == 0 && room < kMaxBatch) continue;
        if (error != 0 && !started_ && batch_unsupported(error)) {
            method_ = ReadMethod::key_by_key;
            return read_key_by_key(out, limit);
        }
        if (error != 0 && error != -ENOENT) throw DataPlaneError("cannot read a table: " + error_text(error));
        started_ = true;
        batch_token_ = next_token;
        for (__u32 i = 0; i < count; ++i) out.push_back({keys_[i], values_[i]});
        return error == 0;  // ENOENT: the end of the map
    }
}

// get_next_key after a key that was deleted meanwhile starts over from the
// first key: keys already taken are skipped, and keys_left_ (twice the
// table's size) bounds a walk that keeps starting over.
template <class Key, class Value>
bool MapCursor<Key, Value>::read_key_by_key(std::vector<Entry>& out, std::uint32_t limit) {
    if (!started_) {
        keys_left_ = 2 * max_entries_of(fd_);
        started_ = true;
    }
    for (std::uint32_t taken = 0; taken < limit;) {
        if (keys_left_ == 0) return false;
        --keys_left_;
        Key next{};
        int error = bpf_map_get_next_key(fd_, has_last_key_ ? &last_key_ : nullptr, &next);
        if (error == -ENOENT) return false;
        if (error != 0) throw DataPlaneError("cannot read a table: " + error_text(error));
        last_key_ = next;
        has_last_key_ = true;
        if (!seen_.emplace(reinterpret_cast<const char*>(&next), sizeof(next)).second) continue;
        Value value{};
        error = bpf_map_lookup_elem(fd_, &next, &value);
        if (error == -ENOENT) continue;
        if (error != 0) throw DataPlaneError("cannot read a table: " + error_text(error));
        out.push_back({next, value});
        ++taken;
    }
    return true;
}

template class MapCursor<xdplb_flow_key, xdplb_flow>;
template class MapCursor<xdplb_persistence_key, xdplb_persistence>;
template class MapCursor<xdplb_farm_key, xdplb_farm>;
template class MapCursor<__u32, xdplb_backend_load>;

std::uint64_t data_plane_clock_ns() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * kNsPerSecond + static_cast<std::uint64_t>(now.tv_nsec);
}

// ------------------------------------------------------------ the rules
bool leads_to_backend(const xdplb_flow& flow) {
    return flow.direction == XDPLB_DIR_TO_BACKEND || flow.direction == XDPLB_DIR_DSR;
}

Settings with_farm_timeouts(Settings defaults, const xdplb_timeouts& own) {
    auto pick = [](std::uint32_t farm_value, std::uint32_t& value) {
        if (farm_value != 0) value = farm_value;
    };
    pick(own.unanswered_s, defaults.unanswered_timeout_s);
    pick(own.tcp_s, defaults.tcp_timeout_s);
    pick(own.tcp_time_wait_s, defaults.tcp_time_wait_timeout_s);
    pick(own.tcp_close_s, defaults.tcp_close_timeout_s);
    pick(own.udp_s, defaults.udp_timeout_s);
    return defaults;
}

std::uint32_t timeout_s(const xdplb_flow& flow, std::uint8_t proto, TableKind table, const Settings& timeouts) {
    if (flow.closing == XDPLB_FIN_FROM_BACKEND) return timeouts.tcp_time_wait_timeout_s;
    if (flow.closing != XDPLB_OPEN) return timeouts.tcp_close_timeout_s;
    if (table == TableKind::half_open || !flow.replied) return timeouts.unanswered_timeout_s;
    return proto == IPPROTO_UDP ? timeouts.udp_timeout_s : timeouts.tcp_timeout_s;
}

bool is_stale(const xdplb_flow& flow, std::uint8_t proto, TableKind table, std::uint64_t now_ns,
              const Settings& timeouts) {
    return now_ns >= flow.last_seen_ns &&
           now_ns - flow.last_seen_ns >= std::uint64_t{timeout_s(flow, proto, table, timeouts)} * kNsPerSecond;
}

std::uint64_t idle_seconds(std::uint64_t last_seen_ns, std::uint64_t now_ns) {
    return now_ns > last_seen_ns ? (now_ns - last_seen_ns) / kNsPerSecond : 0;
}

std::string_view state_name(const xdplb_flow& flow, TableKind table) {
    switch (flow.closing) {
    case XDPLB_FIN_FROM_CLIENT: return "closing-by-client";
    case XDPLB_FIN_FROM_BACKEND: return "closing-by-backend";
    case XDPLB_RESET: return "reset";
    default:
        if (!flow.replied) return "unanswered";
        return table == TableKind::half_open ? "half-open" : "open";
    }
}

namespace {

// The backend-side half of a SNAT connection: the client it leads back to
// is not the address it was sent to, which is lbd's (in DNAT they are one).
bool holds_snat_port(const FlowEntry& entry) {
    return entry.value.direction == XDPLB_DIR_TO_CLIENT &&
           (std::memcmp(&entry.key.dst, &entry.value.new_dst, sizeof(entry.key.dst)) != 0 ||
            entry.key.dport != entry.value.new_dport);
}

}  // namespace

BackendCensus::BackendCensus() : connections_(XDPLB_MAX_BACKENDS, 0), snat_ports_(XDPLB_MAX_BACKENDS, 0) {}

bool BackendCensus::judge(const FlowEntry& entry, TableKind table, std::uint64_t now_ns, const Settings& timeouts) {
    if (is_stale(entry.value, entry.key.proto, table, now_ns, timeouts)) return true;
    const std::uint32_t id = entry.value.backend_id;
    if (id >= connections_.size()) return false;
    if (table == TableKind::established && leads_to_backend(entry.value)) ++connections_[id];
    if (holds_snat_port(entry)) ++snat_ports_[id];
    return false;
}

std::uint64_t BackendCensus::connections_of(std::uint32_t backend_id) const {
    return backend_id < connections_.size() ? connections_[backend_id] : 0;
}

std::uint64_t BackendCensus::snat_ports_of(std::uint32_t backend_id) const {
    return backend_id < snat_ports_.size() ? snat_ports_[backend_id] : 0;
}

std::uint64_t load_to_write(std::uint64_t census, std::uint64_t load_before_walk, std::uint64_t load_after_walk) {
    return census + (load_after_walk > load_before_walk ? load_after_walk - load_before_walk : 0);
}

// ------------------------------------------------------------ SessionTable
SessionTable::SessionTable(const Program& program, ReadMethod method)
    : tables_(connection_tables(program)),
      persistence_fd_(program.map_fd("persistence")),
      farms_fd_(program.map_fd("farms")),
      method_(method) {}

std::vector<ConnectionEntry> SessionTable::connections() const {
    std::vector<ConnectionEntry> entries;
    for (const auto& [fd, kind] : tables_) {
        for (const FlowEntry& entry : read_whole<xdplb_flow_key, xdplb_flow>(fd, method_)) {
            entries.push_back({entry, kind});
        }
    }
    return entries;
}

std::vector<PersistenceEntry> SessionTable::persistence_entries() const {
    return read_whole<xdplb_persistence_key, xdplb_persistence>(persistence_fd_, method_);
}

std::unordered_map<std::uint32_t, std::uint32_t> SessionTable::persistence_ttls() const {
    std::unordered_map<std::uint32_t, std::uint32_t> ttls;
    for (const auto& [key, farm] : read_whole<xdplb_farm_key, xdplb_farm>(farms_fd_, method_)) {
        ttls[farm.farm_id] = (farm.flags & XDPLB_FARM_PERSIST_SRCIP) != 0 ? farm.persist_ttl_s : 0;
    }
    return ttls;
}

FlushCount SessionTable::flush(std::uint32_t farm_id, std::optional<std::uint32_t> backend_id) const {
    auto matches = [&](std::uint32_t entry_farm, std::uint32_t entry_backend) {
        return entry_farm == farm_id && (!backend_id || entry_backend == *backend_id);
    };
    FlushCount count;
    for (const auto& [fd, kind] : tables_) {
        for (const auto& [key, flow] : read_whole<xdplb_flow_key, xdplb_flow>(fd, method_)) {
            if (matches(flow.farm_id, flow.backend_id) && delete_entry(fd, key) && leads_to_backend(flow)) {
                ++count.connections;
            }
        }
    }
    for (const auto& [key, entry] : persistence_entries()) {
        if (matches(key.farm_id, entry.backend_id) && delete_entry(persistence_fd_, key)) ++count.persistence;
    }
    return count;
}

// ------------------------------------------------------------ ConnectionUpkeep
ConnectionUpkeep::ConnectionUpkeep(const Program& program, const Settings& settings, ReadMethod method)
    : tables_(connection_tables(program)),
      load_fd_(program.map_fd("backend_load")),
      farm_timeouts_fd_(program.map_fd("farm_timeouts")),
      settings_(settings),
      method_(method) {}

const Settings& ConnectionUpkeep::timeouts_for(std::uint32_t farm_id) const {
    return farm_id < farm_timeouts_.size() ? farm_timeouts_[farm_id] : settings_;
}

void ConnectionUpkeep::read_farm_timeouts() {
    farm_timeouts_.assign(XDPLB_MAX_FARMS, settings_);
    for (const auto& [id, own] : read_whole<__u32, xdplb_timeouts>(farm_timeouts_fd_, method_)) {
        if (id < farm_timeouts_.size()) farm_timeouts_[id] = with_farm_timeouts(settings_, own);
    }
}

void ConnectionUpkeep::begin() {
    table_ = 0;
    cursor_.reset();
    census_ = BackendCensus();
    current_ = WalkSummary{};
    loads_before_ = read_loads();
    read_farm_timeouts();
}

bool ConnectionUpkeep::step(std::uint32_t limit) {
    std::uint32_t left = limit;
    while (table_ < tables_.size()) {
        if (left == 0) return false;
        const ConnectionTable& table = tables_[table_];
        if (!cursor_) cursor_.emplace(table.fd, method_);
        chunk_.clear();
        bool more = cursor_->read_chunk(chunk_, std::min(left, kReadChunk));
        const std::uint64_t now = data_plane_clock_ns();
        for (const FlowEntry& entry : chunk_) {
            ++current_.entries;
            if (census_.judge(entry, table.kind, now, timeouts_for(entry.value.farm_id))) {
                delete_if_still_stale(table, entry.key);
                continue;
            }
            ++(table.kind == TableKind::established ? current_.established_entries : current_.half_open_entries);
            if (table.kind == TableKind::established && leads_to_backend(entry.value)) ++current_.live_connections;
            if (listener_) {
                listener_->live_entry(ConnectionEntry{entry, table.kind},
                                      timeout_s(entry.value, entry.key.proto, table.kind,
                                                timeouts_for(entry.value.farm_id)));
            }
        }
        left -= static_cast<std::uint32_t>(std::min<std::size_t>(chunk_.size(), left));
        if (!more) {
            ++table_;
            cursor_.reset();
        }
    }
    write_loads();
    finished_ = current_;
    finished_census_ = census_;
    if (listener_) listener_->walk_finished();
    return true;
}

WalkSummary ConnectionUpkeep::walk_all() {
    begin();
    while (!step(kReadChunk)) {
    }
    return finished_;
}

// The data path may have refreshed the entry since it was read: a packet
// made it live again, or a new connection took its place.
void ConnectionUpkeep::delete_if_still_stale(const ConnectionTable& table, const xdplb_flow_key& key) {
    xdplb_flow now_value{};
    int error = bpf_map_lookup_elem(table.fd, &key, &now_value);
    if (error == -ENOENT) return;
    if (error != 0) throw DataPlaneError("cannot read a connection entry: " + error_text(error));
    if (!is_stale(now_value, key.proto, table.kind, data_plane_clock_ns(), timeouts_for(now_value.farm_id))) return;
    if (delete_entry(table.fd, key)) ++current_.stale_deleted;
}

std::vector<std::uint64_t> ConnectionUpkeep::read_loads() const {
    std::vector<std::uint64_t> loads(XDPLB_MAX_BACKENDS, 0);
    for (const auto& [id, load] : read_whole<__u32, xdplb_backend_load>(load_fd_, method_)) {
        if (id < loads.size()) loads[id] = load.connections;
    }
    return loads;
}

void ConnectionUpkeep::write_loads() {
    const std::vector<std::uint64_t> loads_after = read_loads();
    for (__u32 id = 1; id < loads_after.size(); ++id) {
        xdplb_backend_load load{load_to_write(census_.connections_of(id), loads_before_[id], loads_after[id])};
        if (load.connections == loads_after[id]) continue;
        if (int error = bpf_map_update_elem(load_fd_, &id, &load, BPF_ANY); error != 0) {
            throw DataPlaneError("cannot write a backend's connection count: " + error_text(error));
        }
    }
}

}  // namespace xdplb::dataplane
