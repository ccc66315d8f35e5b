#include "daemon/neighbours.hpp"

#include <net/if.h>

#include <algorithm>
#include <set>

#include <linux/neighbour.h>
#include <spdlog/spdlog.h>

namespace xdplb::daemon {

namespace {

// Every address of a backend of a DSR farm, once, with the first farm and backend that has it.
std::vector<NeighbourTarget> dsr_backends(const model::Config& config) {
    std::vector<NeighbourTarget> targets;
    std::set<IpAddress, IpAddressOrder> seen;
    for (const model::Farm& farm : config.farms) {
        if (farm.mode != model::Mode::dsr) continue;
        for (const model::Backend& backend : farm.backends) {
            if (seen.insert(backend.ip).second) targets.push_back({backend.ip, farm.name, backend.name});
        }
    }
    return targets;
}

std::set<IpAddress, IpAddressOrder> addresses_of(const std::vector<NeighbourTarget>& targets) {
    std::set<IpAddress, IpAddressOrder> addresses;
    for (const NeighbourTarget& target : targets) addresses.insert(target.address);
    return addresses;
}

// An entry that someone chose (an operator's permanent entry, another managed
// one, one an external agent learned) rather than one the kernel made for its
// own traffic: lbd leaves it as it is.
bool chosen_by_someone(const NeighbourEntry& entry) {
    return (entry.state & (NUD_PERMANENT | NUD_NOARP)) != 0 || (entry.flags & NTF_EXT_LEARNED) != 0 ||
           (entry.ext_flags & NTF_EXT_MANAGED) != 0;
}

std::string describe(const NeighbourEntry& entry) {
    if (entry.state & NUD_PERMANENT) return "permanent";
    if (entry.state & NUD_NOARP) return "noarp";
    if (entry.ext_flags & NTF_EXT_MANAGED) return "managed";
    if (entry.flags & NTF_EXT_LEARNED) return "externally learned";
    return "dynamic";
}

}  // namespace

NeighbourChanges neighbour_changes(const model::Config& from, const model::Config& to) {
    const std::vector<NeighbourTarget> before = dsr_backends(from);
    const std::vector<NeighbourTarget> after = dsr_backends(to);
    const std::set<IpAddress, IpAddressOrder> before_addresses = addresses_of(before);
    const std::set<IpAddress, IpAddressOrder> after_addresses = addresses_of(after);
    NeighbourChanges changes;
    for (const NeighbourTarget& target : after) {
        if (!before_addresses.contains(target.address)) changes.added.push_back(target);
    }
    for (const NeighbourTarget& target : before) {
        if (!after_addresses.contains(target.address)) changes.removed.push_back(target.address);
    }
    return changes;
}

Neighbours::Neighbours(std::vector<dataplane::Interface> interfaces) : interfaces_(std::move(interfaces)) {}

Neighbours::~Neighbours() {
    // remove() forgets each entry as it goes.
    const std::map<IpAddress, int, IpAddressOrder> made = made_;
    for (const auto& entry : made) remove(entry.first);
}

void Neighbours::update(const model::Config& from, const model::Config& to) {
    const NeighbourChanges changes = neighbour_changes(from, to);
    for (const IpAddress& address : changes.removed) remove(address);
    for (const NeighbourTarget& target : changes.added) add(target);
}

void Neighbours::add(const NeighbourTarget& target) {
    const std::string who =
        "farm " + target.farm + ", backend " + target.backend + " (" + target.address.to_string() + ")";
    try {
        const Route route = netlink_.route_to(target.address);
        const std::string interface = interface_name(route.ifindex);
        if (route.gateway) {
            spdlog::warn("{}: not on a link of the load balancer (the route to it goes via {} on {}): DSR cannot "
                         "reach it, its connections are dropped as drop_dsr_not_on_link",
                         who, route.gateway->to_string(), interface);
            return;
        }
        const auto on_route = [&route](const dataplane::Interface& own) { return own.ifindex == route.ifindex; };
        if (std::none_of(interfaces_.begin(), interfaces_.end(), on_route)) {
            spdlog::warn("{}: the route to it leaves by {}, which is not one of lbd's --iface: DSR cannot reach it, "
                         "its connections are dropped as drop_dsr_not_on_link",
                         who, interface);
            return;
        }
        const std::optional<NeighbourEntry> existing = netlink_.neighbour(route.ifindex, target.address);
        if (existing && chosen_by_someone(*existing)) {
            spdlog::info("{}: keeping the {} neighbour entry on {}, which lbd did not make", who, describe(*existing),
                         interface);
            return;
        }
        netlink_.replace_with_managed_neighbour(route.ifindex, target.address);
        made_[target.address] = route.ifindex;
        spdlog::info("{}: managed neighbour entry on {}", who, interface);
    } catch (const std::exception& error) {
        spdlog::warn("{}: no managed neighbour entry, so its new connections are dropped until the kernel resolves "
                     "its MAC address for some other reason: {}",
                     who, error.what());
    }
}

void Neighbours::remove(const IpAddress& address) {
    const auto made = made_.find(address);
    if (made == made_.end()) return;
    const int ifindex = made->second;
    made_.erase(made);
    try {
        const std::string interface = interface_name(ifindex);
        const std::optional<NeighbourEntry> entry = netlink_.neighbour(ifindex, address);
        // Gone already: deleted by someone, or flushed with its interface.
        if (!entry) return;
        // Replaced since lbd made it, so no longer lbd's.
        if (!(entry->ext_flags & NTF_EXT_MANAGED)) {
            spdlog::info("{}: keeping the {} neighbour entry on {}, which replaced lbd's", address.to_string(),
                         describe(*entry), interface);
            return;
        }
        netlink_.delete_neighbour(ifindex, address);
        spdlog::info("{}: managed neighbour entry on {} removed", address.to_string(), interface);
    } catch (const std::exception& error) {
        spdlog::warn("{}: cannot remove lbd's managed neighbour entry: {}", address.to_string(), error.what());
    }
}

std::string Neighbours::interface_name(int ifindex) const {
    for (const dataplane::Interface& own : interfaces_) {
        if (own.ifindex == ifindex) return own.name;
    }
    char name[IF_NAMESIZE] = {};
    if (::if_indextoname(static_cast<unsigned>(ifindex), name) != nullptr) return name;
    return "interface " + std::to_string(ifindex);
}

}  // namespace xdplb::daemon
