// Follows the links of some interfaces through rtnetlink notifications: a link
// is up while it is administratively up and has carrier (IFF_UP and
// IFF_RUNNING), so that a pulled cable or a peer's veth going down counts.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace xdplb::ha {

class LinkMonitor {
public:
    using Changed = std::function<void(const std::string& interface, bool up)>;

    // Throws std::runtime_error when the notification socket cannot be opened.
    LinkMonitor(boost::asio::io_context& io, std::set<std::string> interfaces);

    // The link now; a missing interface is down.
    bool is_up(const std::string& interface);
    // Calls `changed` when one of the interfaces goes up or down (the kernel
    // notifies about much else too), until the monitor is destroyed.
    void watch(Changed changed);

private:
    void receive_next();
    void handle_messages();

    void report(const std::string& interface, bool up);

    std::map<std::string, bool> up_;  // as last reported
    boost::asio::posix::stream_descriptor socket_;
    Changed changed_;
};

}  // namespace xdplb::ha
