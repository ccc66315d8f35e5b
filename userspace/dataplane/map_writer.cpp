#include "dataplane/map_writer.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <xdplb/abi.h>

#include "model/config_diff.hpp"
#include "model/maglev_table.hpp"
#include "model/round_robin_table.hpp"
#include "model/selection_table.hpp"

namespace xdplb::dataplane {

xdplb_addr abi_address(const IpAddress& address) {
    xdplb_addr result{};
    std::memcpy(result.words, address.bytes().data(), address.family() == IpAddress::Family::v4 ? 4 : 16);
    return result;
}

std::uint8_t abi_family(const IpAddress& address) {
    return address.family() == IpAddress::Family::v4 ? AF_INET : AF_INET6;
}

namespace {

using model::Config;
using model::Farm;

xdplb_farm_key farm_key_of(const Farm& farm, std::uint16_t port) {
    xdplb_farm_key key{};
    key.vip = abi_address(farm.vip);
    key.port = htons(port);
    key.proto = farm.proto == model::Protocol::tcp ? IPPROTO_TCP : IPPROTO_UDP;
    key.family = abi_family(farm.vip);
    return key;
}

std::uint8_t abi_mode(model::Mode mode) {
    switch (mode) {
    case model::Mode::snat:
        return XDPLB_MODE_SNAT;
    case model::Mode::dnat:
        return XDPLB_MODE_DNAT;
    case model::Mode::dsr:
        return XDPLB_MODE_DSR;
    }
    throw DataPlaneError("unknown farm mode");
}

std::uint8_t abi_scheduler(model::Scheduler scheduler) {
    switch (scheduler) {
    case model::Scheduler::rr:
        return XDPLB_SCHED_RR;
    case model::Scheduler::hash:
        return XDPLB_SCHED_HASH;
    case model::Scheduler::weight:
        break;
    }
    return XDPLB_SCHED_WEIGHT;
}

std::uint8_t abi_hash_key(std::optional<model::HashKey> hash_key) {
    switch (hash_key.value_or(model::HashKey::srcip)) {
    case model::HashKey::srcip_srcport:
        return XDPLB_HASH_SRCIP_SRCPORT;
    case model::HashKey::five_tuple:
        return XDPLB_HASH_5TUPLE;
    case model::HashKey::srcip:
        break;
    }
    return XDPLB_HASH_SRCIP;
}

xdplb_farm farm_value_of(const Farm& farm) {
    xdplb_farm value{};
    value.farm_id = farm.id;
    value.mode = abi_mode(farm.mode);
    value.scheduler = abi_scheduler(farm.scheduler);
    value.hash_key = abi_hash_key(farm.hash_key);
    if (farm.persistence == model::Persistence::srcip) value.flags |= XDPLB_FARM_PERSIST_SRCIP;
    value.persist_ttl_s = farm.persist_ttl_s;
    if (!farm.allow.empty()) value.flags |= XDPLB_FARM_ALLOW_LIST;
    if (!farm.deny.empty()) value.flags |= XDPLB_FARM_DENY_LIST;
    value.rate_limit = farm.rate_limit;
    value.rate_burst = farm.rate_burst;
    value.snat_addr_count = static_cast<__u8>(farm.snat_addrs.size());
    for (std::size_t i = 0; i < farm.snat_addrs.size(); ++i) value.snat_addrs[i] = abi_address(farm.snat_addrs[i]);
    return value;
}

// 0 leaves the timeout to lbd's default in struct xdplb_settings.
xdplb_timeouts timeouts_value_of(const Farm& farm) {
    const model::FarmTimeouts& t = farm.timeouts;
    return {t.unanswered.value_or(0), t.tcp.value_or(0), t.tcp_time_wait.value_or(0), t.tcp_close.value_or(0),
            t.udp.value_or(0)};
}

xdplb_source_prefix_key source_key_of(std::uint32_t farm_id, const IpPrefix& prefix) {
    xdplb_source_prefix_key key{};
    key.prefixlen = 32 + prefix.length();
    key.farm_id = farm_id;
    key.addr = abi_address(prefix.address());
    return key;
}

// Map keys are compared as the kernel hashes them: byte for byte.
struct ByBytes {
    template <typename Key>
    bool operator()(const Key& a, const Key& b) const {
        return std::memcmp(&a, &b, sizeof(Key)) < 0;
    }
};

using SourceKeys = std::set<xdplb_source_prefix_key, ByBytes>;

// Every (farm, prefix) key of one list in a configuration.
SourceKeys source_keys(const Config& config, std::vector<IpPrefix> Farm::*list) {
    SourceKeys keys;
    for (const Farm& farm : config.farms) {
        for (const IpPrefix& prefix : farm.*list) keys.insert(source_key_of(farm.id, prefix));
    }
    return keys;
}

// A backend with the farm it belongs to.
struct FarmBackend {
    const Farm* farm;
    const model::Backend* backend;
};

xdplb_backend backend_value_of(const FarmBackend& member) {
    const model::Backend& backend = *member.backend;
    xdplb_backend value{};
    value.addr = abi_address(backend.ip);
    value.port = backend.port ? htons(*backend.port) : 0;
    value.family = abi_family(backend.ip);
    std::vector<const model::Backend*> serving = model::serving_backends(*member.farm);
    value.available = std::find(serving.begin(), serving.end(), &backend) != serving.end();
    value.max_connections = backend.max_connections;
    value.farm_id = member.farm->id;
    return value;
}

// The table of the farm's scheduler, built on the heap: it is large.
std::unique_ptr<xdplb_select_table> select_table_of(const Farm& farm) {
    auto table = std::make_unique<xdplb_select_table>();
    std::vector<model::SelectionSlot> slots = model::build_selection_table(farm);
    table->slot_count = static_cast<__u32>(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) {
        table->slots[i] = {slots[i].keep_threshold, slots[i].backend_id, slots[i].alias_backend_id};
    }
    return table;
}

struct VipEntry {
    xdplb_vip_key key;
    xdplb_vip value;
};

// Every VIP of `config`, by its text form, with the protocols its farms serve.
std::map<std::string, VipEntry> vips_of(const Config& config) {
    std::map<std::string, VipEntry> result;
    for (const Farm& farm : config.farms) {
        VipEntry& entry = result[farm.vip.to_string()];
        entry.key.addr = abi_address(farm.vip);
        entry.key.family = abi_family(farm.vip);
        entry.value.protocols |= farm.proto == model::Protocol::tcp ? XDPLB_VIP_TCP : XDPLB_VIP_UDP;
    }
    return result;
}

std::unique_ptr<xdplb_rr_table> rr_table_of(const Farm& farm) {
    auto table = std::make_unique<xdplb_rr_table>();
    std::vector<std::uint32_t> turns = model::build_round_robin_table(farm, XDPLB_RR_TABLE_SIZE);
    table->length = static_cast<__u32>(turns.size());
    std::copy(turns.begin(), turns.end(), table->backend_ids);
    return table;
}

// None when no backend serves: the data plane finds no table and no backend.
std::unique_ptr<xdplb_maglev_table> maglev_table_of(const Farm& farm) {
    std::vector<std::uint32_t> slots = model::build_maglev_table(farm, XDPLB_MAGLEV_TABLE_SIZE);
    if (slots.empty()) return nullptr;
    auto table = std::make_unique<xdplb_maglev_table>();
    std::copy(slots.begin(), slots.end(), table->backend_ids);
    return table;
}

// What a farm's table is built from: a table is rebuilt only when this
// changes (a Maglev table takes milliseconds to build).
auto table_inputs_of(const Farm& farm) {
    std::vector<std::tuple<std::uint32_t, std::string, std::uint32_t>> serving;
    for (const model::Backend* backend : model::serving_backends(farm)) {
        serving.emplace_back(backend->id, backend->name, backend->weight);
    }
    return std::pair{farm.scheduler, serving};
}

std::map<std::uint32_t, const Farm*> farms_by_id(const Config& config) {
    std::map<std::uint32_t, const Farm*> result;
    for (const Farm& farm : config.farms) result[farm.id] = &farm;
    return result;
}

std::map<std::uint32_t, FarmBackend> backends_by_id(const Config& config) {
    std::map<std::uint32_t, FarmBackend> result;
    for (const Farm& farm : config.farms) {
        for (const model::Backend& backend : farm.backends) result[backend.id] = {&farm, &backend};
    }
    return result;
}

template <typename Value>
bool same_bytes(const Value& a, const Value& b) {
    return std::memcmp(&a, &b, sizeof(Value)) == 0;
}

// Every farm-table entry of a configuration: one per port of each farm.
using FarmEntries = std::map<xdplb_farm_key, xdplb_farm, ByBytes>;

FarmEntries farm_entries(const Config& config) {
    FarmEntries entries;
    for (const Farm& farm : config.farms) {
        xdplb_farm value = farm_value_of(farm);
        for (std::uint16_t port : farm.port.ports()) entries.emplace(farm_key_of(farm, port), value);
    }
    return entries;
}

void update(int fd, const void* key, const void* value, const char* what) {
    if (bpf_map_update_elem(fd, key, value, BPF_ANY) != 0) {
        throw DataPlaneError(std::string("cannot write ") + what + ": " + std::strerror(errno));
    }
}

void remove(int fd, const void* key, const char* what) {
    if (bpf_map_delete_elem(fd, key) != 0 && errno != ENOENT) {
        throw DataPlaneError(std::string("cannot delete ") + what + ": " + std::strerror(errno));
    }
}

void zero_per_cpu(int fd, std::uint32_t id, const char* what) {
    int cpus = libbpf_num_possible_cpus();
    std::vector<xdplb_stats> zeros(cpus > 0 ? static_cast<std::size_t>(cpus) : 1);
    update(fd, &id, zeros.data(), what);
}

}  // namespace

MapWriter::MapWriter(const Program& program)
    : farms_fd_(program.map_fd("farms")),
      tables_fd_(program.map_fd("select_tables")),
      rr_tables_fd_(program.map_fd("rr_tables")),
      maglev_tables_fd_(program.map_fd("maglev_tables")),
      backends_fd_(program.map_fd("backends")),
      vips_fd_(program.map_fd("vips")),
      settings_fd_(program.map_fd("settings")),
      farm_stats_fd_(program.map_fd("farm_stats")),
      backend_stats_fd_(program.map_fd("backend_stats")),
      timeouts_fd_(program.map_fd("farm_timeouts")),
      allow_fd_(program.map_fd("allow_sources")),
      deny_fd_(program.map_fd("deny_sources")) {}

// A farm's lists are complete before its flags announce them, and its flags
// are gone before its lists go: a list is never half there for a new connection.
// Everything but the VIPs is keyed by what belongs to one farm alone, so only
// the farms that differ are compared: a change costs what it touches, not what
// the whole configuration holds. A VIP may be shared by farms that did not
// change, so the VIPs are compared over the whole configurations.
void MapWriter::apply(const Config& from, const Config& to) const {
    const model::ConfigDiff diff = model::differing_farms(from, to);
    write_backends(diff.before, diff.after);
    write_tables(diff.before, diff.after);
    write_timeouts(diff.before, diff.after);
    write_source_lists(diff.before, diff.after, &Farm::allow, allow_fd_, "allow prefix");
    write_source_lists(diff.before, diff.after, &Farm::deny, deny_fd_, "deny prefix");
    write_vips(from, to);
    write_farms(diff.before, diff.after);
    remove_farms(diff.before, diff.after);
    remove_source_lists(diff.before, diff.after, &Farm::allow, allow_fd_, "allow prefix");
    remove_source_lists(diff.before, diff.after, &Farm::deny, deny_fd_, "deny prefix");
    remove_tables(diff.before, diff.after);
    remove_vips(from, to);
    retire_backends(diff.before, diff.after);
}

// Written for every farm whose id is new, so that a reused id never inherits
// its previous owner's timeouts; left in place when a farm goes, so that its
// remaining connections keep theirs until they end.
void MapWriter::write_timeouts(const Config& from, const Config& to) const {
    auto old_farms = farms_by_id(from);
    for (const auto& [id, farm] : farms_by_id(to)) {
        auto old = old_farms.find(id);
        xdplb_timeouts value = timeouts_value_of(*farm);
        if (old == old_farms.end() || !same_bytes(value, timeouts_value_of(*old->second))) {
            update(timeouts_fd_, &id, &value, "farm timeouts");
        }
    }
}

void MapWriter::write_source_lists(const Config& from, const Config& to, std::vector<IpPrefix> Farm::*list, int fd,
                                   const char* what) const {
    const std::uint8_t present = 1;
    SourceKeys old_keys = source_keys(from, list);
    for (const xdplb_source_prefix_key& key : source_keys(to, list)) {
        if (!old_keys.contains(key)) update(fd, &key, &present, what);
    }
}

void MapWriter::remove_source_lists(const Config& from, const Config& to, std::vector<IpPrefix> Farm::*list, int fd,
                                    const char* what) const {
    SourceKeys new_keys = source_keys(to, list);
    for (const xdplb_source_prefix_key& key : source_keys(from, list)) {
        if (!new_keys.contains(key)) remove(fd, &key, what);
    }
}

void MapWriter::write_settings(const Settings& settings) const {
    std::uint32_t zero = 0;
    xdplb_settings value{};
    value.snat_port_min = settings.snat_ports.min;
    value.snat_port_max = settings.snat_ports.max;
    value.unanswered_timeout_s = settings.unanswered_timeout_s;
    value.tcp_timeout_s = settings.tcp_timeout_s;
    value.tcp_time_wait_timeout_s = settings.tcp_time_wait_timeout_s;
    value.tcp_close_timeout_s = settings.tcp_close_timeout_s;
    value.udp_timeout_s = settings.udp_timeout_s;
    update(settings_fd_, &zero, &value, "settings");
}

void MapWriter::reset_stats_of_new_ids(const Config& from, const Config& to) const {
    const model::ConfigDiff diff = model::differing_farms(from, to);
    auto old_farms = farms_by_id(diff.before);
    for (const auto& [id, farm] : farms_by_id(diff.after)) {
        if (!old_farms.contains(id)) zero_per_cpu(farm_stats_fd_, id, "farm statistics");
    }
    auto old_backends = backends_by_id(diff.before);
    for (const auto& [id, member] : backends_by_id(diff.after)) {
        if (!old_backends.contains(id)) zero_per_cpu(backend_stats_fd_, id, "backend statistics");
    }
}

void MapWriter::write_backends(const Config& from, const Config& to) const {
    auto old_backends = backends_by_id(from);
    for (const auto& [id, member] : backends_by_id(to)) {
        auto old = old_backends.find(id);
        xdplb_backend value = backend_value_of(member);
        if (old == old_backends.end() || !same_bytes(value, backend_value_of(old->second))) {
            update(backends_fd_, &id, &value, "backend");
        }
    }
}

// A backend that is gone is blanked, so that no persistence entry leads to it
// any more; its established connections carry their own addresses.
void MapWriter::retire_backends(const Config& from, const Config& to) const {
    auto new_backends = backends_by_id(to);
    const xdplb_backend blank{};
    for (const auto& [id, member] : backends_by_id(from)) {
        if (!new_backends.contains(id)) update(backends_fd_, &id, &blank, "backend");
    }
}

// Each farm has a selection table, which lists its serving backends for every
// scheduler, and the table of its scheduler if that is another.
void MapWriter::write_tables(const Config& from, const Config& to) const {
    auto old_farms = farms_by_id(from);
    for (const auto& [id, farm] : farms_by_id(to)) {
        auto old = old_farms.find(id);
        if (old != old_farms.end() && table_inputs_of(*old->second) == table_inputs_of(*farm)) continue;
        update(tables_fd_, &id, select_table_of(*farm).get(), "selection table");
        switch (farm->scheduler) {
        case model::Scheduler::weight:
            break;
        case model::Scheduler::rr:
            update(rr_tables_fd_, &id, rr_table_of(*farm).get(), "round robin table");
            break;
        case model::Scheduler::hash:
            if (auto table = maglev_table_of(*farm)) {
                update(maglev_tables_fd_, &id, table.get(), "Maglev table");
            } else {
                remove(maglev_tables_fd_, &id, "Maglev table");
            }
            break;
        }
    }
}

void MapWriter::write_vips(const Config& from, const Config& to) const {
    auto old_vips = vips_of(from);
    for (const auto& [text, entry] : vips_of(to)) {
        auto old = old_vips.find(text);
        if (old == old_vips.end() || !same_bytes(entry.value, old->second.value)) {
            update(vips_fd_, &entry.key, &entry.value, "VIP");
        }
    }
}

void MapWriter::write_farms(const Config& from, const Config& to) const {
    FarmEntries old_entries = farm_entries(from);
    for (const auto& [key, value] : farm_entries(to)) {
        auto old = old_entries.find(key);
        if (old == old_entries.end() || !same_bytes(value, old->second)) update(farms_fd_, &key, &value, "farm");
    }
}

// Farm keys no farm uses any more (a farm is gone, or its VIP, ports or
// protocol changed) stop matching packets.
void MapWriter::remove_farms(const Config& from, const Config& to) const {
    FarmEntries live_entries = farm_entries(to);
    for (const auto& [key, value] : farm_entries(from)) {
        if (!live_entries.contains(key)) remove(farms_fd_, &key, "farm");
    }
}

// The tables that no farm uses any more: those of a farm that is gone or
// that changed its scheduler. The farm entries no longer lead to them.
void MapWriter::remove_tables(const Config& from, const Config& to) const {
    auto new_farms = farms_by_id(to);
    for (const auto& [id, farm] : farms_by_id(from)) {
        auto now = new_farms.find(id);
        const bool gone = now == new_farms.end();
        if (gone) remove(tables_fd_, &id, "selection table");
        if (!gone && now->second->scheduler == farm->scheduler) continue;
        switch (farm->scheduler) {
        case model::Scheduler::weight:
            break;
        case model::Scheduler::rr:
            remove(rr_tables_fd_, &id, "round robin table");
            break;
        case model::Scheduler::hash:
            remove(maglev_tables_fd_, &id, "Maglev table");
            break;
        }
    }
}

// After the farms: a VIP goes with the last farm on it.
void MapWriter::remove_vips(const Config& from, const Config& to) const {
    auto live_vips = vips_of(to);
    for (const auto& [text, entry] : vips_of(from)) {
        if (!live_vips.contains(text)) remove(vips_fd_, &entry.key, "VIP");
    }
}

}  // namespace xdplb::dataplane
