#include "sync/installer.hpp"

#include <netinet/in.h>

#include "dataplane/map_writer.hpp"
#include "dataplane/session_table.hpp"

namespace xdplb::sync {

namespace {

std::uint64_t seen_at(std::uint64_t now_ns, std::uint32_t idle_ms) {
    std::uint64_t idle_ns = std::uint64_t{idle_ms} * 1'000'000;
    return now_ns > idle_ns ? now_ns - idle_ns : 0;
}

std::uint8_t protocol_of(const model::Farm& farm) {
    return farm.proto == model::Protocol::tcp ? IPPROTO_TCP : IPPROTO_UDP;
}

// Whether the record's connection can be one of this farm's and backend's
// here: the same family and protocol, and the backend at the same address
// (where the half toward it goes, where the reply half comes from). Names
// that mean another backend here would send the packets elsewhere.
bool agrees(const ConnectionUpdate& update, const FarmAndBackend& local) {
    if (update.key.family != dataplane::abi_family(local.farm->vip)) return false;
    if (update.key.proto != protocol_of(*local.farm)) return false;
    const xdplb_addr& backend_side =
        update.rewrite.direction == XDPLB_DIR_TO_CLIENT ? update.key.src : update.rewrite.new_dst;
    return backend_side == dataplane::abi_address(local.backend->ip);
}

}  // namespace

std::string_view to_string(InstallOutcome outcome) {
    switch (outcome) {
    case InstallOutcome::installed: return "installed";
    case InstallOutcome::unknown_farm: return "unknown_farm";
    case InstallOutcome::unknown_backend: return "unknown_backend";
    case InstallOutcome::config_disagrees: return "config_disagrees";
    }
    return "unknown";
}

Installer::Installer(const dataplane::Program& program, const FarmDirectory& directory)
    : directory_(directory),
      established_fd_(program.map_fd("conntrack")),
      half_open_fd_(program.map_fd("conntrack_halfopen")),
      persistence_fd_(program.map_fd("persistence")) {}

InstallOutcome Installer::install(const Record& record, std::uint64_t now_ns) const {
    struct Visitor {
        const Installer& self;
        std::uint64_t now_ns;
        InstallOutcome operator()(const ConnectionUpdate& r) const { return self.install_connection(r, now_ns); }
        InstallOutcome operator()(const ConnectionEnd& r) const { return self.end_connection(r); }
        InstallOutcome operator()(const PersistenceUpdate& r) const { return self.install_persistence(r, now_ns); }
        InstallOutcome operator()(const PersistenceEnd& r) const { return self.end_persistence(r); }
    };
    return std::visit(Visitor{*this, now_ns}, record);
}

InstallOutcome Installer::install_connection(const ConnectionUpdate& update, std::uint64_t now_ns) const {
    if (!directory_.farm_by_name(update.farm)) return InstallOutcome::unknown_farm;
    auto local = directory_.by_names(update.farm, update.backend);
    if (!local) return InstallOutcome::unknown_backend;
    if (!agrees(update, *local)) return InstallOutcome::config_disagrees;

    // The next hop is this node's own to find (zero: ask the FIB), and the
    // data path checks the entry at its first packet.
    xdplb_flow flow{};
    flow.new_src = update.rewrite.new_src;
    flow.new_dst = update.rewrite.new_dst;
    flow.new_sport = update.rewrite.new_sport;
    flow.new_dport = update.rewrite.new_dport;
    flow.backend_id = local->backend->id;
    flow.farm_id = local->farm->id;
    flow.direction = update.rewrite.direction;
    flow.closing = update.rewrite.closing;
    flow.replied = update.rewrite.replied;
    flow.last_seen_ns = seen_at(now_ns, update.idle_ms);

    // A key is in at most one of the two tables (docs/connection-table.md):
    // written into its table first, then taken from the other, as the data
    // path moves a confirmed connection.
    bool established = update.table == SyncTable::established;
    dataplane::write_entry(established ? established_fd_ : half_open_fd_, update.key, flow);
    dataplane::delete_entry(established ? half_open_fd_ : established_fd_, update.key);
    return InstallOutcome::installed;
}

InstallOutcome Installer::end_connection(const ConnectionEnd& end) const {
    dataplane::delete_entry(established_fd_, end.key);
    dataplane::delete_entry(half_open_fd_, end.key);
    return InstallOutcome::installed;
}

InstallOutcome Installer::install_persistence(const PersistenceUpdate& update, std::uint64_t now_ns) const {
    if (!directory_.farm_by_name(update.farm)) return InstallOutcome::unknown_farm;
    auto local = directory_.by_names(update.farm, update.backend);
    if (!local) return InstallOutcome::unknown_backend;
    if (update.family != dataplane::abi_family(local->farm->vip)) return InstallOutcome::config_disagrees;

    xdplb_persistence_key key{};
    key.farm_id = local->farm->id;
    key.family = update.family;
    key.src = update.source;
    xdplb_persistence entry{};
    entry.backend_id = local->backend->id;
    entry.last_seen_ns = seen_at(now_ns, update.idle_ms);
    dataplane::write_entry(persistence_fd_, key, entry);
    return InstallOutcome::installed;
}

InstallOutcome Installer::end_persistence(const PersistenceEnd& end) const {
    const model::Farm* farm = directory_.farm_by_name(end.farm);
    if (!farm) return InstallOutcome::unknown_farm;
    xdplb_persistence_key key{};
    key.farm_id = farm->id;
    key.family = end.family;
    key.src = end.source;
    dataplane::delete_entry(persistence_fd_, key);
    return InstallOutcome::installed;
}

}  // namespace xdplb::sync
