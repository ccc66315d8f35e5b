// Tells a link that this node now answers for an address: a gratuitous ARP
// request (IPv4) or an unsolicited neighbour advertisement with the override
// flag (IPv6, RFC 4861 7.2.6), from the interface's own MAC address.
//
// Sent kRepeats times, kInterval apart, the first at once: one frame can be
// lost, and a switch or host that was busy (a port still learning after the
// failover, a neighbour cache mid-probe) takes the next. Three over two
// seconds is what most VRRP routers send by default, and it costs nothing.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/ip_address.hpp"

namespace xdplb::ha {

class AddressAnnouncer {
public:
    static constexpr int kRepeats = 3;
    static constexpr std::chrono::seconds kInterval{1};

    explicit AddressAnnouncer(boost::asio::io_context& io);
    ~AddressAnnouncer();

    // Announces each address on its interface now and repeats it; a new
    // call replaces the repeats of the previous one. Failures are logged.
    void announce(const std::vector<std::pair<std::string, IpAddress>>& addresses);
    // Stops the repeats: this node no longer holds the addresses.
    void cancel();

private:
    void send_round(int left);

    boost::asio::steady_timer timer_;
    std::vector<std::pair<std::string, IpAddress>> addresses_;
    int packet_fd_ = -1;  // ARP frames
    int icmpv6_fd_ = -1;  // neighbour advertisements
};

}  // namespace xdplb::ha
