// Managed neighbour entries for the backends of DSR farms. The data plane takes
// a DSR backend's MAC address from the kernel's neighbour table, but the load
// balancer never sends a DSR backend anything of its own, so nothing would make
// the kernel resolve it: lbd asks the kernel to keep such an entry resolved
// itself (a "managed" entry) while the backend exists.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/ip_address.hpp"
#include "daemon/rtnetlink.hpp"
#include "dataplane/program.hpp"
#include "model/farm.hpp"

namespace xdplb::daemon {

// Any strict order of addresses, to keep them in maps and sets.
struct IpAddressOrder {
    bool operator()(const IpAddress& a, const IpAddress& b) const {
        return std::pair(a.family(), a.bytes()) < std::pair(b.family(), b.bytes());
    }
};

// A backend address that needs an entry, and one farm and backend that have
// it, to name in messages.
struct NeighbourTarget {
    IpAddress address;
    std::string farm;
    std::string backend;

    friend bool operator==(const NeighbourTarget&, const NeighbourTarget&) = default;
};

// What a change of configuration means for the entries: the addresses of DSR
// backends that `to` has and `from` had not (in `to`'s order), and those it no
// longer has (in `from`'s order). An address several DSR farms share counts once.
struct NeighbourChanges {
    std::vector<NeighbourTarget> added;
    std::vector<IpAddress> removed;
};

NeighbourChanges neighbour_changes(const model::Config& from, const model::Config& to);

class Neighbours {
public:
    // Entries are made only on `interfaces`, lbd's. Throws NetlinkError when
    // the rtnetlink socket cannot be opened.
    explicit Neighbours(std::vector<dataplane::Interface> interfaces);
    // Removes the entries lbd made, leaving the host as it found it.
    ~Neighbours();
    Neighbours(const Neighbours&) = delete;
    Neighbours& operator=(const Neighbours&) = delete;

    // Adds and removes entries for a change the data plane has made. Never
    // throws: the change stands whatever happens here, and each failure is
    // logged as a warning.
    void update(const model::Config& from, const model::Config& to);

private:
    void add(const NeighbourTarget& target);
    void remove(const IpAddress& address);
    std::string interface_name(int ifindex) const;

    std::vector<dataplane::Interface> interfaces_;
    RtNetlink netlink_;
    // The entries lbd made (address -> ifindex): the only ones it may delete.
    std::map<IpAddress, int, IpAddressOrder> made_;
};

}  // namespace xdplb::daemon
