#include "sync/table_records.hpp"

#include <algorithm>
#include <limits>

namespace xdplb::sync {

namespace {

std::uint32_t idle_ms(std::uint64_t last_seen_ns, std::uint64_t now_ns) {
    std::uint64_t ms = now_ns > last_seen_ns ? (now_ns - last_seen_ns) / 1'000'000 : 0;
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(ms, std::numeric_limits<std::uint32_t>::max()));
}

}  // namespace

std::optional<ConnectionUpdate> record_of(const dataplane::ConnectionEntry& entry, const FarmDirectory& directory,
                                          std::uint64_t now_ns) {
    auto names = directory.by_ids(entry.value.farm_id, entry.value.backend_id);
    if (!names) return std::nullopt;
    ConnectionUpdate update;
    update.table = entry.table == dataplane::TableKind::established ? SyncTable::established : SyncTable::half_open;
    update.key = entry.key;
    update.rewrite = {entry.value.new_src,   entry.value.new_dst, entry.value.new_sport, entry.value.new_dport,
                      entry.value.direction, entry.value.closing, entry.value.replied};
    update.idle_ms = idle_ms(entry.value.last_seen_ns, now_ns);
    update.farm = names->farm->name;
    update.backend = names->backend->name;
    return update;
}

std::optional<PersistenceUpdate> record_of(const dataplane::PersistenceEntry& entry,
                                           const FarmDirectory& directory, std::uint64_t now_ns) {
    auto names = directory.by_ids(entry.key.farm_id, entry.value.backend_id);
    if (!names) return std::nullopt;
    return PersistenceUpdate{names->farm->name, entry.key.family, entry.key.src, names->backend->name,
                             idle_ms(entry.value.last_seen_ns, now_ns)};
}

}  // namespace xdplb::sync
