// The few rtnetlink requests lbd makes (route lookups, neighbour entries, VRRP's
// virtual addresses), on a
// NETLINK_ROUTE socket of lbd's own network namespace. Every request waits for
// the kernel's answer, at most kAnswerTimeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "common/ip_address.hpp"

namespace xdplb::daemon {

class NetlinkError : public std::runtime_error {
public:
    NetlinkError(const std::string& what, int error_number) : std::runtime_error(what), error_number_(error_number) {}
    int error_number() const { return error_number_; }

private:
    int error_number_;
};

// Where the kernel would send a packet to an address.
struct Route {
    int ifindex = 0;
    std::optional<IpAddress> gateway;  // none: the address is on the link of `ifindex`
};

// A neighbour entry as the kernel reports it.
struct NeighbourEntry {
    std::uint16_t state = 0;      // NUD_*
    std::uint8_t flags = 0;       // NTF_*
    std::uint32_t ext_flags = 0;  // NTF_EXT_* (NDA_FLAGS_EXT)
};

class RtNetlink {
public:
    // A request the kernel has not answered by then is reported as failed, so
    // that a stuck kernel cannot stall lbd's API.
    static constexpr std::chrono::milliseconds kAnswerTimeout{1000};

    // Throws NetlinkError when the socket cannot be opened.
    RtNetlink();
    ~RtNetlink();
    RtNetlink(const RtNetlink&) = delete;
    RtNetlink& operator=(const RtNetlink&) = delete;

    // All of these throw NetlinkError, with the kernel's explanation when it gives one.
    Route route_to(const IpAddress& address);
    // nullopt when there is no entry for `address` on `ifindex`.
    std::optional<NeighbourEntry> neighbour(int ifindex, const IpAddress& address);
    // Creates, or replaces whatever is there with, an entry the kernel resolves
    // and keeps reachable by itself (NTF_EXT_MANAGED, kernel 5.16 and later).
    void replace_with_managed_neighbour(int ifindex, const IpAddress& address);
    void delete_neighbour(int ifindex, const IpAddress& address);
    // An address already there, or already gone, is no error. IPv6 ones skip
    // duplicate address detection: the VRRP master must answer for them at once.
    void add_address(int ifindex, const IpAddress& address, std::uint8_t prefix_length);
    void delete_address(int ifindex, const IpAddress& address, std::uint8_t prefix_length);

private:
    // Sends `request` (a whole netlink message) and returns the answer's
    // payload: the reply, or nothing for an acknowledged request.
    std::vector<std::uint8_t> exchange(std::vector<std::uint8_t> request, const char* what);

    int fd_ = -1;
    std::uint32_t sequence_ = 0;
};

}  // namespace xdplb::daemon
