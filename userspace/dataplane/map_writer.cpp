#include "dataplane/map_writer.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <vector>

#include <xdplb/abi.h>

#include "model/selection_table.hpp"

namespace xdplb::dataplane {

namespace {

using model::Config;
using model::Farm;

xdplb_addr abi_address(const IpAddress& address) {
    xdplb_addr result{};
    std::memcpy(result.words, address.bytes().data(), address.family() == IpAddress::Family::v4 ? 4 : 16);
    return result;
}

std::uint8_t abi_family(const IpAddress& address) {
    return address.family() == IpAddress::Family::v4 ? AF_INET : AF_INET6;
}

xdplb_farm_key farm_key_of(const Farm& farm) {
    xdplb_farm_key key{};
    key.vip = abi_address(farm.vip);
    key.port = htons(farm.port);
    key.proto = farm.proto == model::Protocol::tcp ? IPPROTO_TCP : IPPROTO_UDP;
    key.family = abi_family(farm.vip);
    return key;
}

xdplb_farm farm_value_of(const Farm& farm) {
    xdplb_farm value{};
    value.farm_id = farm.id;
    value.mode = farm.mode == model::Mode::snat ? XDPLB_MODE_SNAT : XDPLB_MODE_DNAT;
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

// Orders keys by their bytes, which is all that tells them apart.
struct ByBytes {
    bool operator()(const xdplb_source_prefix_key& a, const xdplb_source_prefix_key& b) const {
        return std::memcmp(&a, &b, sizeof(a)) < 0;
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

xdplb_backend backend_value_of(const model::Backend& backend) {
    xdplb_backend value{};
    value.addr = abi_address(backend.ip);
    value.port = backend.port ? htons(*backend.port) : 0;
    value.family = abi_family(backend.ip);
    return value;
}

xdplb_select_table table_value_of(const Farm& farm) {
    xdplb_select_table table{};
    std::vector<model::SelectionSlot> slots = model::build_selection_table(farm);
    table.slot_count = static_cast<__u32>(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) {
        table.slots[i] = {slots[i].keep_threshold, slots[i].backend_id, slots[i].alias_backend_id};
    }
    return table;
}

std::map<std::uint32_t, const Farm*> farms_by_id(const Config& config) {
    std::map<std::uint32_t, const Farm*> result;
    for (const Farm& farm : config.farms) result[farm.id] = &farm;
    return result;
}

std::map<std::uint32_t, const model::Backend*> backends_by_id(const Config& config) {
    std::map<std::uint32_t, const model::Backend*> result;
    for (const Farm& farm : config.farms) {
        for (const model::Backend& backend : farm.backends) result[backend.id] = &backend;
    }
    return result;
}

template <typename Value>
bool same_bytes(const Value& a, const Value& b) {
    return std::memcmp(&a, &b, sizeof(Value)) == 0;
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
      backends_fd_(program.map_fd("backends")),
      settings_fd_(program.map_fd("settings")),
      farm_stats_fd_(program.map_fd("farm_stats")),
      backend_stats_fd_(program.map_fd("backend_stats")),
      timeouts_fd_(program.map_fd("farm_timeouts")),
      allow_fd_(program.map_fd("allow_sources")),
      deny_fd_(program.map_fd("deny_sources")) {}

// A farm's lists are complete before its flags announce them, and its flags
// are gone before its lists go: a list is never half there for a new connection.
void MapWriter::apply(const Config& from, const Config& to) const {
    write_backends(from, to);
    write_tables(from, to);
    write_timeouts(from, to);
    write_source_lists(from, to, &Farm::allow, allow_fd_, "allow prefix");
    write_source_lists(from, to, &Farm::deny, deny_fd_, "deny prefix");
    write_farms(from, to);
    remove_farms(from, to);
    remove_source_lists(from, to, &Farm::allow, allow_fd_, "allow prefix");
    remove_source_lists(from, to, &Farm::deny, deny_fd_, "deny prefix");
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
    auto old_farms = farms_by_id(from);
    for (const auto& [id, farm] : farms_by_id(to)) {
        if (!old_farms.contains(id)) zero_per_cpu(farm_stats_fd_, id, "farm statistics");
    }
    auto old_backends = backends_by_id(from);
    for (const auto& [id, backend] : backends_by_id(to)) {
        if (!old_backends.contains(id)) zero_per_cpu(backend_stats_fd_, id, "backend statistics");
    }
}

void MapWriter::write_backends(const Config& from, const Config& to) const {
    auto old_backends = backends_by_id(from);
    for (const auto& [id, backend] : backends_by_id(to)) {
        auto old = old_backends.find(id);
        xdplb_backend value = backend_value_of(*backend);
        if (old == old_backends.end() || !same_bytes(value, backend_value_of(*old->second))) {
            update(backends_fd_, &id, &value, "backend");
        }
    }
}

void MapWriter::write_tables(const Config& from, const Config& to) const {
    auto old_farms = farms_by_id(from);
    for (const auto& [id, farm] : farms_by_id(to)) {
        auto old = old_farms.find(id);
        // The table is large (several KiB): build it on the heap.
        auto table = std::make_unique<xdplb_select_table>(table_value_of(*farm));
        if (old == old_farms.end() || !same_bytes(*table, table_value_of(*old->second))) {
            update(tables_fd_, &id, table.get(), "selection table");
        }
    }
}

void MapWriter::write_farms(const Config& from, const Config& to) const {
    auto old_farms = farms_by_id(from);
    for (const auto& [id, farm] : farms_by_id(to)) {
        auto old = old_farms.find(id);
        xdplb_farm_key key = farm_key_of(*farm);
        xdplb_farm value = farm_value_of(*farm);
        bool unchanged = old != old_farms.end() && same_bytes(key, farm_key_of(*old->second)) &&
                         same_bytes(value, farm_value_of(*old->second));
        if (!unchanged) update(farms_fd_, &key, &value, "farm");
    }
}

// Farms that are gone, and farm keys a farm no longer uses (its VIP, port or
// protocol changed), stop matching packets; then their tables go.
void MapWriter::remove_farms(const Config& from, const Config& to) const {
    auto new_farms = farms_by_id(to);
    std::vector<xdplb_farm_key> live_keys;
    for (const auto& [id, farm] : new_farms) live_keys.push_back(farm_key_of(*farm));
    for (const auto& [id, farm] : farms_by_id(from)) {
        xdplb_farm_key key = farm_key_of(*farm);
        bool still_used = false;
        for (const auto& live : live_keys) still_used = still_used || same_bytes(live, key);
        if (!still_used) remove(farms_fd_, &key, "farm");
        if (!new_farms.contains(id)) remove(tables_fd_, &id, "selection table");
    }
}

}  // namespace xdplb::dataplane
