// The raw IP protocol 112 socket of one virtual router on one interface: sends
// adverts to 224.0.0.18 / ff02::12 (or to each unicast peer) with TTL/hop
// limit 255, and hands on received ones with the IP fields the codec checks.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/generic/raw_protocol.hpp>
#include <boost/asio/io_context.hpp>

#include "common/ip_address.hpp"
#include "ha/vrrp_advert.hpp"

namespace xdplb::ha {

class AdvertSocket {
public:
    using Received = std::function<void(const Advert& advert, const IpAddress& source)>;

    // The primary address, the source of every advert, is the interface's
    // first IPv4 address that is not in `virtual_addresses` (IPv6: its
    // link-local address, as RFC 5798 5.1.2.2 wants). Throws
    // std::runtime_error with one line: no such interface or address, or a
    // socket option refused.
    AdvertSocket(boost::asio::io_context& io, const std::string& interface, IpAddress::Family family,
                 const std::vector<IpAddress>& virtual_addresses, std::vector<IpAddress> unicast_peers);

    const IpAddress& primary_address() const { return primary_address_; }
    int ifindex() const { return ifindex_; }

    // Sends at once; a failure is logged (the next advert may get through).
    void send(const Advert& advert);
    // Calls `received` for every advert that passes the codec's checks, until
    // the socket is destroyed; the others are logged at debug level.
    void receive(Received received);

private:
    void receive_next();
    void handle_datagram();

    IpAddress::Family family_;
    int ifindex_ = 0;
    IpAddress primary_address_;
    std::vector<IpAddress> destinations_;  // the group, or the peers
    boost::asio::generic::raw_protocol::socket socket_;
    Received received_;
    bool send_failing_ = false;
};

}  // namespace xdplb::ha
