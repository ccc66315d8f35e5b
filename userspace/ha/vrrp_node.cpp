#include "ha/vrrp_node.hpp"

#include <net/if.h>

#include <set>

#include <spdlog/spdlog.h>

#include "ha/notify_command.hpp"

namespace xdplb::ha {

namespace {

std::vector<IpAddress> plain_addresses(const std::vector<VirtualAddress>& addresses) {
    std::vector<IpAddress> plain;
    for (const VirtualAddress& address : addresses) plain.push_back(address.address);
    return plain;
}

// The tracked interfaces, and those of the VRRP interface and the addresses:
// a master announces the addresses again when one of those links returns.
std::set<std::string> watched_links(const NodeConfig& config) {
    std::set<std::string> links = config.router.tracked_interfaces;
    links.insert(config.interface);
    for (const VirtualAddress& address : config.addresses) links.insert(address.interface.value_or(config.interface));
    return links;
}

// The primary address is the VRRP interface's, known once the socket found it.
RouterConfig with_primary(RouterConfig router, const IpAddress& primary) {
    router.primary_address = primary;
    return router;
}

}  // namespace

VrrpNode::VrrpNode(boost::asio::io_context& io, NodeConfig config, VirtualRouter::MayPreempt may_preempt,
                   StateChanged state_changed)
    : io_(io),
      config_(std::move(config)),
      socket_(io, config_.interface, config_.addresses.front().address.family(), plain_addresses(config_.addresses),
              config_.unicast_peers),
      links_(io, watched_links(config_)),
      announcer_(io),
      router_(with_primary(config_.router, socket_.primary_address()), std::move(may_preempt)),
      state_changed_(std::move(state_changed)),
      timer_(io) {
    for (const VirtualAddress& address : config_.addresses) {
        if (address.interface && ::if_nametoindex(address.interface->c_str()) == 0) {
            throw std::runtime_error("--vip " + address.to_string() + ": no interface " + *address.interface);
        }
    }
}

void VrrpNode::start() {
    const TimePoint now = Clock::now();
    // Recorded before start, so that a start with a tracked link down goes straight to fault.
    for (const std::string& interface : config_.router.tracked_interfaces) {
        carry_out(router_.interface_changed(interface, links_.is_up(interface), now));
    }
    socket_.receive([this](const Advert& advert, const IpAddress& source) {
        carry_out(router_.advert_received(advert, source, Clock::now()));
    });
    links_.watch([this](const std::string& interface, bool up) { link_changed(interface, up); });
    spdlog::info("VRRP: virtual router {} on {} from {}, priority {}", config_.router.vrid, config_.interface,
                 socket_.primary_address().to_string(), config_.router.priority);
    carry_out(router_.start(now));
}

void VrrpNode::stop() {
    carry_out(router_.shutdown(Clock::now()));
    timer_.cancel();
}

// A link cut and back does not change the state of a master that was cut
// off: it stayed master, while the backup took over and the hosts learnt its
// MAC address. Its adverts make the backup step down, silently; the master
// tells the hosts itself. (Its answer to the other's advert would too, but
// the other usually hears it first and stops advertising.)
void VrrpNode::link_changed(const std::string& interface, bool up) {
    const bool was_master = router_.state() == State::master;
    carry_out(router_.interface_changed(interface, up, Clock::now()));
    if (up && was_master && router_.state() == State::master) announcer_.announce(announced_addresses());
}

NodeStatus VrrpNode::status() const {
    return {config_.interface,
            config_.router.vrid,
            config_.router.priority,
            router_.state(),
            router_.master_address(),
            router_.master_advert_interval(),
            config_.addresses};
}

void VrrpNode::carry_out(const Actions& actions) {
    std::vector<Notify> changes;
    for (const Action& action : actions) {
        if (const auto* send = std::get_if<SendAdvert>(&action)) {
            socket_.send({config_.router.vrid, send->priority,
                          static_cast<std::uint16_t>(config_.router.advert_interval.count()),
                          plain_addresses(config_.addresses)});
        } else if (std::holds_alternative<AcquireAddresses>(action)) {
            acquire_addresses();
        } else if (std::holds_alternative<ReleaseAddresses>(action)) {
            release_addresses();
        } else {
            notify(std::get<Notify>(action));
            changes.push_back(std::get<Notify>(action));
        }
    }
    arm_timer();
    if (state_changed_) {
        for (const Notify& change : changes) state_changed_(change.from, change.to);
    }
}

int VrrpNode::ifindex_of(const VirtualAddress& address) const {
    if (!address.interface) return socket_.ifindex();
    return static_cast<int>(::if_nametoindex(address.interface->c_str()));
}

// One address that cannot be added does not keep the others away: the
// clients of those are served.
void VrrpNode::acquire_addresses() {
    for (const VirtualAddress& address : config_.addresses) {
        try {
            netlink_.add_address(ifindex_of(address), address.address, address.prefix_length);
        } catch (const daemon::NetlinkError& error) {
            spdlog::error("VRRP: {}", error.what());
        }
    }
    announcer_.announce(announced_addresses());
}

std::vector<std::pair<std::string, IpAddress>> VrrpNode::announced_addresses() const {
    std::vector<std::pair<std::string, IpAddress>> announced;
    for (const VirtualAddress& address : config_.addresses) {
        announced.emplace_back(address.interface.value_or(config_.interface), address.address);
    }
    return announced;
}

void VrrpNode::release_addresses() {
    announcer_.cancel();
    for (const VirtualAddress& address : config_.addresses) {
        try {
            netlink_.delete_address(ifindex_of(address), address.address, address.prefix_length);
        } catch (const daemon::NetlinkError& error) {
            spdlog::error("VRRP: {}", error.what());
        }
    }
}

void VrrpNode::notify(const Notify& change) {
    spdlog::info("VRRP: {} -> {}: {}", to_string(change.from), to_string(change.to), change.reason);
    if (!config_.notify_command) return;
    run_notify_command(io_, *config_.notify_command,
                       {to_string(change.to), to_string(change.from), std::to_string(config_.router.vrid),
                        std::to_string(config_.router.priority)});
}

void VrrpNode::arm_timer() {
    const std::optional<TimePoint> deadline = router_.deadline();
    if (!deadline) {
        timer_.cancel();
        return;
    }
    timer_.expires_at(*deadline);
    timer_.async_wait([this](const boost::system::error_code& error) {
        if (error) return;
        carry_out(router_.timer_expired(Clock::now()));
    });
}

}  // namespace xdplb::ha
