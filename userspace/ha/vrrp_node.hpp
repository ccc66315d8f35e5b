// One VRRP virtual router of lbd, on its event loop: the pure state machine
// (VirtualRouter) fed by the advert socket, its deadline as a timer and the
// tracked links, and its actions carried out: adverts sent, addresses added
// and removed through rtnetlink and announced, the notify command run.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/rtnetlink.hpp"
#include "ha/address_announcer.hpp"
#include "ha/advert_socket.hpp"
#include "ha/link_monitor.hpp"
#include "ha/node_config.hpp"
#include "ha/virtual_router.hpp"

namespace xdplb::ha {

// What lbctl vrrp status shows.
struct NodeStatus {
    std::string interface;
    std::uint8_t vrid = 0;
    std::uint8_t priority = 0;
    State state = State::initialize;
    std::optional<IpAddress> master_address;
    Centiseconds master_advert_interval{0};
    std::vector<VirtualAddress> addresses;
};

class VrrpNode {
public:
    // Told of every state change, after its actions were carried out.
    using StateChanged = std::function<void(State from, State to)>;

    // Opens the sockets (std::runtime_error with one line when it cannot:
    // no such interface, no address to advertise from, not root).
    VrrpNode(
        boost::asio::io_context& io, NodeConfig config, VirtualRouter::MayPreempt may_preempt = [] { return true; },
        StateChanged state_changed = {});

    void start();
    // A master sends priority 0 and removes the addresses, at once, so that
    // the backup takes over after its skew time: call before the loop stops.
    void stop();

    NodeStatus status() const;
    State state() const { return router_.state(); }

private:
    void link_changed(const std::string& interface, bool up);
    void carry_out(const Actions& actions);
    void acquire_addresses();
    void release_addresses();
    // Each address with the interface it is on.
    std::vector<std::pair<std::string, IpAddress>> announced_addresses() const;
    void notify(const Notify& change);
    void arm_timer();
    int ifindex_of(const VirtualAddress& address) const;

    boost::asio::io_context& io_;
    NodeConfig config_;
    AdvertSocket socket_;
    LinkMonitor links_;
    AddressAnnouncer announcer_;
    daemon::RtNetlink netlink_;
    VirtualRouter router_;
    StateChanged state_changed_;
    boost::asio::steady_timer timer_;
};

}  // namespace xdplb::ha
