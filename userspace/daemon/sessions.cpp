#include "daemon/sessions.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <tuple>

namespace xdplb::daemon {

using nlohmann::json;
using dataplane::ConnectionEntry;
using dataplane::PersistenceEntry;

namespace {

std::string address_text(const xdplb_addr& address, std::uint8_t family) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, address.words, text, sizeof(text));
    return text;
}

bool same_address(const xdplb_addr& address, std::uint8_t family, const IpAddress& wanted) {
    const bool v4 = wanted.family() == IpAddress::Family::v4;
    if (family != (v4 ? AF_INET : AF_INET6)) return false;
    return std::memcmp(address.words, wanted.bytes().data(), v4 ? 4 : 16) == 0;
}

// Farm and backend names by id; an id the model no longer has shows as null
// (its farm or backend was deleted while the connection ran). A backend is
// known by its farm too: a deleted backend's id may already serve another.
class Names {
public:
    explicit Names(const model::Config& config) {
        for (const model::Farm& farm : config.farms) {
            farms_[farm.id] = farm.name;
            for (const model::Backend& backend : farm.backends) backends_[member_key(farm.id, backend.id)] = backend.name;
        }
    }

    json farm(std::uint32_t id) const { return name_or_null(farms_, id); }
    json backend(std::uint32_t farm_id, std::uint32_t id) const {
        return name_or_null(backends_, member_key(farm_id, id));
    }
    std::string farm_sort_key(std::uint32_t id) const {
        auto found = farms_.find(id);
        return found == farms_.end() ? std::string() : found->second;
    }

private:
    static std::uint64_t member_key(std::uint32_t farm_id, std::uint32_t backend_id) {
        return std::uint64_t{farm_id} << 32 | backend_id;
    }

    template <class Id>
    static json name_or_null(const std::unordered_map<Id, std::string>& names, Id id) {
        auto found = names.find(id);
        return found == names.end() ? json(nullptr) : json(found->second);
    }

    std::unordered_map<std::uint32_t, std::string> farms_;
    std::unordered_map<std::uint64_t, std::string> backends_;
};

bool matches(const SessionFilter& filter, std::uint32_t farm_id, std::uint32_t backend_id, const xdplb_addr& client,
             std::uint8_t family) {
    return (!filter.farm_id || farm_id == *filter.farm_id) && (!filter.backend_id || backend_id == *filter.backend_id) &&
           (!filter.client || same_address(client, family, *filter.client));
}

json connection_view(const ConnectionEntry& entry, const Names& names, std::uint64_t now_ns) {
    const xdplb_flow_key& key = entry.key;
    const xdplb_flow& flow = entry.value;
    return {
        {"farm", names.farm(flow.farm_id)},
        {"proto", key.proto == IPPROTO_UDP ? "udp" : "tcp"},
        {"client_addr", address_text(key.src, key.family)},
        {"client_port", ntohs(key.sport)},
        {"vip", address_text(key.dst, key.family)},
        {"vip_port", ntohs(key.dport)},
        {"backend", names.backend(flow.farm_id, flow.backend_id)},
        {"source_addr", address_text(flow.new_src, key.family)},
        {"source_port", ntohs(flow.new_sport)},
        {"backend_addr", address_text(flow.new_dst, key.family)},
        {"backend_port", ntohs(flow.new_dport)},
        {"state", std::string(dataplane::state_name(flow, entry.table))},
        {"idle_s", dataplane::idle_seconds(flow.last_seen_ns, now_ns)},
    };
}

json persistence_view(const PersistenceEntry& entry, const Names& names, std::uint32_t ttl_s,
                      std::uint64_t now_ns) {
    const std::uint64_t age_s = dataplane::idle_seconds(entry.value.last_seen_ns, now_ns);
    return {
        {"farm", names.farm(entry.key.farm_id)},
        {"source", address_text(entry.key.src, entry.key.family)},
        {"backend", names.backend(entry.key.farm_id, entry.value.backend_id)},
        {"expires_in_s", age_s < ttl_s ? ttl_s - age_s : 0},
    };
}

// Farm name, then the client's (source's) address and port: a stable order.
template <class Entry, class Projection>
void sort_entries(std::vector<const Entry*>& entries, const Names& names, Projection project) {
    std::sort(entries.begin(), entries.end(), [&](const Entry* a, const Entry* b) {
        const auto [farm_a, family_a, address_a, port_a] = project(*a);
        const auto [farm_b, family_b, address_b, port_b] = project(*b);
        const std::string name_a = names.farm_sort_key(farm_a), name_b = names.farm_sort_key(farm_b);
        if (name_a != name_b) return name_a < name_b;
        if (family_a != family_b) return family_a < family_b;
        if (int order = std::memcmp(address_a, address_b, sizeof(xdplb_addr)); order != 0) return order < 0;
        return port_a < port_b;
    });
}

}  // namespace

json sessions_view(const SessionSnapshot& snapshot, const model::Config& config, const SessionFilter& filter,
                   std::size_t max_listed) {
    const Names names(config);

    std::vector<const ConnectionEntry*> connections;
    for (const ConnectionEntry& entry : snapshot.connections) {
        if (dataplane::leads_to_backend(entry.value) &&
            matches(filter, entry.value.farm_id, entry.value.backend_id, entry.key.src, entry.key.family)) {
            connections.push_back(&entry);
        }
    }
    sort_entries(connections, names, [](const ConnectionEntry& entry) {
        return std::make_tuple(entry.value.farm_id, entry.key.family, entry.key.src.words, ntohs(entry.key.sport));
    });

    std::vector<const PersistenceEntry*> persistence;
    for (const PersistenceEntry& entry : snapshot.persistence) {
        if (matches(filter, entry.key.farm_id, entry.value.backend_id, entry.key.src, entry.key.family)) {
            persistence.push_back(&entry);
        }
    }
    sort_entries(persistence, names, [](const PersistenceEntry& entry) {
        return std::make_tuple(entry.key.farm_id, entry.key.family, entry.key.src.words, std::uint16_t{0});
    });

    json result = {{"connections", json::array()},
                   {"connection_count", connections.size()},
                   {"persistence", json::array()},
                   {"persistence_count", persistence.size()}};
    for (std::size_t i = 0; i < connections.size() && i < max_listed; ++i) {
        result["connections"].push_back(connection_view(*connections[i], names, snapshot.now_ns));
    }
    for (std::size_t i = 0; i < persistence.size() && i < max_listed; ++i) {
        const std::uint32_t farm_id = persistence[i]->key.farm_id;
        auto ttl = snapshot.persist_ttl_s.find(farm_id);
        result["persistence"].push_back(persistence_view(*persistence[i], names,
                                                         ttl == snapshot.persist_ttl_s.end() ? 0 : ttl->second,
                                                         snapshot.now_ns));
    }
    return result;
}

}  // namespace xdplb::daemon
