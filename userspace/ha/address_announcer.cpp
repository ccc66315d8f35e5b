#include "ha/address_announcer.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace xdplb::ha {

namespace {

using Mac = std::array<std::uint8_t, ETH_ALEN>;

std::optional<Mac> mac_of(int fd, const std::string& interface) {
    ifreq request{};
    std::strncpy(request.ifr_name, interface.c_str(), IFNAMSIZ - 1);
    if (::ioctl(fd, SIOCGIFHWADDR, &request) != 0) return std::nullopt;
    Mac mac{};
    std::memcpy(mac.data(), request.ifr_hwaddr.sa_data, mac.size());
    return mac;
}

// An ARP request for the address from the address itself, to everyone: every
// host that has the address cached updates its MAC (RFC 5227 calls it an
// ARP announcement).
void send_gratuitous_arp(int fd, const std::string& interface, const IpAddress& address) {
    const std::optional<Mac> mac = mac_of(fd, interface);
    const unsigned ifindex = ::if_nametoindex(interface.c_str());
    if (!mac || ifindex == 0) {
        spdlog::warn("VRRP: no gratuitous ARP for {}: interface {} has no MAC address", address.to_string(), interface);
        return;
    }
    struct [[gnu::packed]] Frame {
        ether_header ethernet;
        arphdr arp;
        std::uint8_t sender_mac[ETH_ALEN];
        std::uint8_t sender_ip[4];
        std::uint8_t target_mac[ETH_ALEN];
        std::uint8_t target_ip[4];
    } frame{};
    std::memset(frame.ethernet.ether_dhost, 0xff, ETH_ALEN);
    std::memcpy(frame.ethernet.ether_shost, mac->data(), ETH_ALEN);
    frame.ethernet.ether_type = htons(ETHERTYPE_ARP);
    frame.arp.ar_hrd = htons(ARPHRD_ETHER);
    frame.arp.ar_pro = htons(ETHERTYPE_IP);
    frame.arp.ar_hln = ETH_ALEN;
    frame.arp.ar_pln = 4;
    frame.arp.ar_op = htons(ARPOP_REQUEST);
    std::memcpy(frame.sender_mac, mac->data(), ETH_ALEN);
    std::memcpy(frame.sender_ip, address.bytes().data(), 4);
    std::memcpy(frame.target_ip, address.bytes().data(), 4);
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = static_cast<int>(ifindex);
    to.sll_halen = ETH_ALEN;
    std::memset(to.sll_addr, 0xff, ETH_ALEN);
    if (::sendto(fd, &frame, sizeof frame, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
        spdlog::warn("VRRP: cannot send a gratuitous ARP for {} on {}: {}", address.to_string(), interface,
                     std::strerror(errno));
    }
}

// To all nodes, override set: caches replace the old master's MAC.
void send_unsolicited_advertisement(int fd, int packet_fd, const std::string& interface, const IpAddress& address) {
    const std::optional<Mac> mac = mac_of(packet_fd, interface);
    const unsigned ifindex = ::if_nametoindex(interface.c_str());
    if (!mac || ifindex == 0) {
        spdlog::warn("VRRP: no neighbour advertisement for {}: interface {} has no MAC address", address.to_string(),
                     interface);
        return;
    }
    struct [[gnu::packed]] Message {
        nd_neighbor_advert advert;
        nd_opt_hdr option;
        std::uint8_t link_address[ETH_ALEN];
    } message{};
    message.advert.nd_na_type = ND_NEIGHBOR_ADVERT;
    message.advert.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE;
    std::memcpy(&message.advert.nd_na_target, address.bytes().data(), 16);
    message.option.nd_opt_type = ND_OPT_TARGET_LINKADDR;
    message.option.nd_opt_len = 1;  // in units of 8 bytes
    std::memcpy(message.link_address, mac->data(), ETH_ALEN);
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
    to.sin6_scope_id = ifindex;
    const int index = static_cast<int>(ifindex);
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index);
    if (::sendto(fd, &message, sizeof message, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
        spdlog::warn("VRRP: cannot send a neighbour advertisement for {} on {}: {}", address.to_string(), interface,
                     std::strerror(errno));
    }
}

}  // namespace

AddressAnnouncer::AddressAnnouncer(boost::asio::io_context& io) : timer_(io) {
    // Protocol 0: a socket that sends and never receives.
    packet_fd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    icmpv6_fd_ = ::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
    if (packet_fd_ < 0 || icmpv6_fd_ < 0) {
        throw std::runtime_error(std::string("cannot open the sockets for gratuitous ARP and neighbour advertisements: ") +
                                 std::strerror(errno));
    }
    // Receivers drop neighbour discovery that did not come from the link.
    const int hop_limit = 255;
    ::setsockopt(icmpv6_fd_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hop_limit, sizeof hop_limit);
}

AddressAnnouncer::~AddressAnnouncer() {
    ::close(packet_fd_);
    ::close(icmpv6_fd_);
}

void AddressAnnouncer::announce(const std::vector<std::pair<std::string, IpAddress>>& addresses) {
    addresses_ = addresses;
    send_round(kRepeats);
}

void AddressAnnouncer::cancel() {
    timer_.cancel();
    addresses_.clear();
}

void AddressAnnouncer::send_round(int left) {
    for (const auto& [interface, address] : addresses_) {
        if (address.family() == IpAddress::Family::v4) {
            send_gratuitous_arp(packet_fd_, interface, address);
        } else {
            send_unsolicited_advertisement(icmpv6_fd_, packet_fd_, interface, address);
        }
    }
    if (left <= 1) return;
    timer_.expires_after(kInterval);
    timer_.async_wait([this, left](const boost::system::error_code& error) {
        if (!error) send_round(left - 1);
    });
}

}  // namespace xdplb::ha
