#include "ha/link_monitor.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

namespace xdplb::ha {

namespace {

bool running(unsigned flags) { return (flags & IFF_UP) && (flags & IFF_RUNNING); }

}  // namespace

LinkMonitor::LinkMonitor(boost::asio::io_context& io, std::set<std::string> interfaces)
    : socket_(io) {
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = RTMGRP_LINK;
    if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
        const std::string problem = std::strerror(errno);
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot follow link changes: " + problem);
    }
    socket_.assign(fd);
    for (const std::string& interface : interfaces) up_[interface] = is_up(interface);
}

bool LinkMonitor::is_up(const std::string& interface) {
    ifreq request{};
    std::strncpy(request.ifr_name, interface.c_str(), IFNAMSIZ - 1);
    // Any socket answers interface ioctls.
    if (::ioctl(socket_.native_handle(), SIOCGIFFLAGS, &request) != 0) return false;
    return running(static_cast<unsigned short>(request.ifr_flags));
}

void LinkMonitor::watch(Changed changed) {
    changed_ = std::move(changed);
    receive_next();
}

void LinkMonitor::receive_next() {
    socket_.async_wait(boost::asio::posix::descriptor_base::wait_read, [this](const boost::system::error_code& error) {
        if (error) return;
        handle_messages();
        receive_next();
    });
}

void LinkMonitor::handle_messages() {
    std::array<std::uint8_t, 16384> buffer{};
    const ssize_t received = ::recv(socket_.native_handle(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (received <= 0) {
        // ENOBUFS: notifications were lost; the interfaces' state now says all.
        if (received < 0 && errno == ENOBUFS) {
            for (const auto& [interface, up] : up_) report(interface, is_up(interface));
        }
        return;
    }
    std::size_t offset = 0;
    while (offset + NLMSG_HDRLEN <= static_cast<std::size_t>(received)) {
        nlmsghdr header{};
        std::memcpy(&header, buffer.data() + offset, sizeof header);
        if (header.nlmsg_len < NLMSG_HDRLEN || header.nlmsg_len > received - offset) return;
        const std::uint8_t* message = buffer.data() + offset;
        offset += NLMSG_ALIGN(header.nlmsg_len);
        if ((header.nlmsg_type != RTM_NEWLINK && header.nlmsg_type != RTM_DELLINK) ||
            header.nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) {
            continue;
        }
        ifinfomsg link{};
        std::memcpy(&link, message + NLMSG_HDRLEN, sizeof link);
        std::size_t attribute = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof link);
        while (attribute + NLA_HDRLEN <= header.nlmsg_len) {
            nlattr field{};
            std::memcpy(&field, message + attribute, sizeof field);
            if (field.nla_len < NLA_HDRLEN || field.nla_len > header.nlmsg_len - attribute) break;
            if ((field.nla_type & NLA_TYPE_MASK) == IFLA_IFNAME) {
                const auto* chars = reinterpret_cast<const char*>(message + attribute + NLA_HDRLEN);
                const std::string name(chars, ::strnlen(chars, field.nla_len - NLA_HDRLEN));
                if (up_.contains(name)) report(name, header.nlmsg_type == RTM_NEWLINK && running(link.ifi_flags));
                break;
            }
            attribute += NLA_ALIGN(field.nla_len);
        }
    }
}

void LinkMonitor::report(const std::string& interface, bool up) {
    if (up_[interface] == up) return;
    up_[interface] = up;
    changed_(interface, up);
}

}  // namespace xdplb::ha
