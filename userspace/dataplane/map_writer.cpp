#include "dataplane/map_writer.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <map>
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

xdplb_farm farm_value_of(const Farm& farm) {
    xdplb_farm value{};
    value.farm_id = farm.id;
    value.mode = abi_mode(farm.mode);
    value.snat_addr_count = static_cast<__u8>(farm.snat_addrs.size());
    for (std::size_t i = 0; i < farm.snat_addrs.size(); ++i) value.snat_addrs[i] = abi_address(farm.snat_addrs[i]);
    return value;
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

// Map keys are compared as the kernel hashes them: byte for byte.
struct ByBytes {
    bool operator()(const xdplb_farm_key& a, const xdplb_farm_key& b) const {
        return std::memcmp(&a, &b, sizeof(a)) < 0;
    }
};

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
      backends_fd_(program.map_fd("backends")),
      vips_fd_(program.map_fd("vips")),
      settings_fd_(program.map_fd("settings")),
      farm_stats_fd_(program.map_fd("farm_stats")),
      backend_stats_fd_(program.map_fd("backend_stats")) {}

void MapWriter::apply(const Config& from, const Config& to) const {
    write_backends(from, to);
    write_tables(from, to);
    write_vips(from, to);
    write_farms(from, to);
    remove_farms(from, to);
    remove_vips(from, to);
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
// protocol changed) stop matching packets; then the tables of gone farms go.
void MapWriter::remove_farms(const Config& from, const Config& to) const {
    FarmEntries live_entries = farm_entries(to);
    for (const auto& [key, value] : farm_entries(from)) {
        if (!live_entries.contains(key)) remove(farms_fd_, &key, "farm");
    }
    auto new_farms = farms_by_id(to);
    for (const auto& [id, farm] : farms_by_id(from)) {
        if (!new_farms.contains(id)) remove(tables_fd_, &id, "selection table");
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
