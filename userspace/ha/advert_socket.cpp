#include "ha/advert_socket.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "ha/vrrp_checksum.hpp"

namespace xdplb::ha {

namespace {

namespace asio = boost::asio;

const IpAddress kIpv4Group = *IpAddress::parse("224.0.0.18");
const IpAddress kIpv6Group = *IpAddress::parse("ff02::12");

int family_constant(IpAddress::Family family) { return family == IpAddress::Family::v4 ? AF_INET : AF_INET6; }

std::runtime_error system_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

IpAddress find_primary_address(const std::string& interface, IpAddress::Family family,
                               const std::vector<IpAddress>& virtual_addresses) {
    if (::if_nametoindex(interface.c_str()) == 0) throw std::runtime_error("VRRP interface " + interface + " does not exist");
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) throw system_error("cannot list the interfaces' addresses");
    std::optional<IpAddress> found;
    for (const ifaddrs* entry = list; entry != nullptr && !found; entry = entry->ifa_next) {
        if (entry->ifa_addr == nullptr || interface != entry->ifa_name) continue;
        std::array<std::uint8_t, 16> bytes{};
        if (family == IpAddress::Family::v4 && entry->ifa_addr->sa_family == AF_INET) {
            std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr, 4);
        } else if (family == IpAddress::Family::v6 && entry->ifa_addr->sa_family == AF_INET6) {
            std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr)->sin6_addr, 16);
            if (bytes[0] != 0xfe || (bytes[1] & 0xc0) != 0x80) continue;  // not link-local
        } else {
            continue;
        }
        const IpAddress address = IpAddress::from_bytes(family, bytes);
        if (std::find(virtual_addresses.begin(), virtual_addresses.end(), address) == virtual_addresses.end()) {
            found = address;
        }
    }
    ::freeifaddrs(list);
    if (!found) {
        throw std::runtime_error("VRRP interface " + interface + " has no " +
                                 (family == IpAddress::Family::v4 ? "IPv4 address of its own"
                                                                  : "IPv6 link-local address") +
                                 " to send adverts from");
    }
    return *found;
}

void set_option(int fd, int level, int name, const void* value, socklen_t length, const char* what) {
    if (::setsockopt(fd, level, name, value, length) != 0) throw system_error(std::string("VRRP socket: ") + what);
}

// Socket options that make the kernel send with TTL 255 on the interface,
// keep this node's multicast adverts to itself, join the group and report
// what the receive checks need (IPv6 has no header on a raw socket).
void configure(int fd, IpAddress::Family family, int ifindex, bool multicast) {
    const int on = 1;
    const int off = 0;
    const int ttl = kVrrpTtl;
    if (family == IpAddress::Family::v4) {
        set_option(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl, "IP_TTL");
        set_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl, "IP_MULTICAST_TTL");
        set_option(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off, "IP_MULTICAST_LOOP");
        ip_mreqn request{};
        request.imr_ifindex = ifindex;
        set_option(fd, IPPROTO_IP, IP_MULTICAST_IF, &request, sizeof request, "IP_MULTICAST_IF");
        if (multicast) {
            std::memcpy(&request.imr_multiaddr, kIpv4Group.bytes().data(), 4);
            set_option(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof request, "joining 224.0.0.18");
        }
        return;
    }
    set_option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl, "IPV6_UNICAST_HOPS");
    set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl, "IPV6_MULTICAST_HOPS");
    set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off, "IPV6_MULTICAST_LOOP");
    set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex, "IPV6_MULTICAST_IF");
    set_option(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on, "IPV6_RECVHOPLIMIT");
    set_option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on, "IPV6_RECVPKTINFO");
    if (multicast) {
        ipv6_mreq request{};
        std::memcpy(&request.ipv6mr_multiaddr, kIpv6Group.bytes().data(), 16);
        request.ipv6mr_interface = static_cast<unsigned>(ifindex);
        set_option(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &request, sizeof request, "joining ff02::12");
    }
}

// The one control message of `header`, whose buffer must have room for it.
template <typename Value>
void put_control(msghdr& header, int level, int type, const Value& value) {
    cmsghdr* info = reinterpret_cast<cmsghdr*>(header.msg_control);
    info->cmsg_level = level;
    info->cmsg_type = type;
    info->cmsg_len = CMSG_LEN(sizeof value);
    std::memcpy(CMSG_DATA(info), &value, sizeof value);
    header.msg_controllen = CMSG_SPACE(sizeof value);
}

IpAddress address_of(IpAddress::Family family, const void* data) {
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), data, family == IpAddress::Family::v4 ? 4 : 16);
    return IpAddress::from_bytes(family, bytes);
}

}  // namespace

AdvertSocket::AdvertSocket(asio::io_context& io, const std::string& interface, IpAddress::Family family,
                           const std::vector<IpAddress>& virtual_addresses, std::vector<IpAddress> unicast_peers)
    : family_(family),
      ifindex_(static_cast<int>(::if_nametoindex(interface.c_str()))),
      primary_address_(find_primary_address(interface, family, virtual_addresses)),
      destinations_(unicast_peers.empty()
                        ? std::vector<IpAddress>{family == IpAddress::Family::v4 ? kIpv4Group : kIpv6Group}
                        : std::move(unicast_peers)),
      socket_(io) {
    const int fd = ::socket(family_constant(family), SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kVrrpProtocol);
    if (fd < 0) throw system_error("cannot open a raw socket for VRRP");
    socket_.assign(asio::generic::raw_protocol(family_constant(family), kVrrpProtocol), fd);
    // Adverts heard on other interfaces are not this router's.
    set_option(fd, SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(), static_cast<socklen_t>(interface.size()),
               "SO_BINDTODEVICE");
    configure(fd, family, ifindex_, destinations_.front() == kIpv4Group || destinations_.front() == kIpv6Group);
}

void AdvertSocket::send(const Advert& advert) {
    for (const IpAddress& destination : destinations_) {
        const std::vector<std::uint8_t> message = encode_advert(advert, {primary_address_, destination});
        sockaddr_storage to{};
        socklen_t to_length = 0;
        // The source goes in the packet info: binding the socket to it would
        // also make it deaf to the group.
        alignas(cmsghdr) std::array<std::uint8_t, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
        msghdr header{};
        iovec part{const_cast<std::uint8_t*>(message.data()), message.size()};
        header.msg_iov = &part;
        header.msg_iovlen = 1;
        header.msg_control = control.data();
        if (family_ == IpAddress::Family::v4) {
            auto* address = reinterpret_cast<sockaddr_in*>(&to);
            address->sin_family = AF_INET;
            std::memcpy(&address->sin_addr, destination.bytes().data(), 4);
            to_length = sizeof *address;
            in_pktinfo packet{};
            packet.ipi_ifindex = ifindex_;
            std::memcpy(&packet.ipi_spec_dst, primary_address_.bytes().data(), 4);
            put_control(header, IPPROTO_IP, IP_PKTINFO, packet);
        } else {
            auto* address = reinterpret_cast<sockaddr_in6*>(&to);
            address->sin6_family = AF_INET6;
            address->sin6_scope_id = static_cast<std::uint32_t>(ifindex_);
            std::memcpy(&address->sin6_addr, destination.bytes().data(), 16);
            to_length = sizeof *address;
            in6_pktinfo packet{};
            packet.ipi6_ifindex = static_cast<unsigned>(ifindex_);
            std::memcpy(&packet.ipi6_addr, primary_address_.bytes().data(), 16);
            put_control(header, IPPROTO_IPV6, IPV6_PKTINFO, packet);
        }
        header.msg_name = &to;
        header.msg_namelen = to_length;
        // Logged when sending starts failing and when it works again, not for
        // each of the ten adverts a second of a link down.
        if (::sendmsg(socket_.native_handle(), &header, 0) < 0) {
            if (!send_failing_) {
                spdlog::warn("VRRP: cannot send adverts to {}: {}", destination.to_string(), std::strerror(errno));
            }
            send_failing_ = true;
        } else if (send_failing_) {
            spdlog::info("VRRP: sending adverts again");
            send_failing_ = false;
        }
    }
}

void AdvertSocket::receive(Received received) {
    received_ = std::move(received);
    receive_next();
}

void AdvertSocket::receive_next() {
    socket_.async_wait(asio::socket_base::wait_read, [this](const boost::system::error_code& error) {
        if (error) return;  // closed
        handle_datagram();
        receive_next();
    });
}

void AdvertSocket::handle_datagram() {
    std::array<std::uint8_t, 2048> buffer{};
    sockaddr_storage from{};
    alignas(cmsghdr) std::array<std::uint8_t, 256> control{};
    iovec part{buffer.data(), buffer.size()};
    msghdr header{};
    header.msg_name = &from;
    header.msg_namelen = sizeof from;
    header.msg_iov = &part;
    header.msg_iovlen = 1;
    header.msg_control = control.data();
    header.msg_controllen = control.size();
    const ssize_t received = ::recvmsg(socket_.native_handle(), &header, MSG_DONTWAIT);
    if (received <= 0) return;
    std::span<const std::uint8_t> message(buffer.data(), static_cast<std::size_t>(received));
    IpEnvelope envelope{primary_address_, primary_address_, 0};
    if (family_ == IpAddress::Family::v4) {
        // A raw IPv4 socket reads the IP header too: the TTL and both addresses are there.
        if (message.size() < sizeof(iphdr)) return;
        iphdr ip{};
        std::memcpy(&ip, message.data(), sizeof ip);
        const std::size_t header_length = 4u * ip.ihl;
        if (header_length < sizeof ip || header_length > message.size()) return;
        envelope = {address_of(family_, &ip.saddr), address_of(family_, &ip.daddr), ip.ttl};
        message = message.subspan(header_length);
    } else {
        envelope.source = address_of(family_, &reinterpret_cast<const sockaddr_in6*>(&from)->sin6_addr);
        for (cmsghdr* info = CMSG_FIRSTHDR(&header); info != nullptr; info = CMSG_NXTHDR(&header, info)) {
            if (info->cmsg_level != IPPROTO_IPV6) continue;
            if (info->cmsg_type == IPV6_HOPLIMIT) {
                int hop_limit = 0;
                std::memcpy(&hop_limit, CMSG_DATA(info), sizeof hop_limit);
                envelope.ttl = static_cast<std::uint8_t>(hop_limit);
            } else if (info->cmsg_type == IPV6_PKTINFO) {
                in6_pktinfo packet{};
                std::memcpy(&packet, CMSG_DATA(info), sizeof packet);
                envelope.destination = address_of(family_, &packet.ipi6_addr);
            }
        }
    }
    const auto decoded = decode_advert(message, envelope);
    if (const auto* refusal = std::get_if<AdvertError>(&decoded)) {
        spdlog::debug("VRRP: advert from {} refused: {}", envelope.source.to_string(), to_string(*refusal));
        return;
    }
    received_(std::get<Advert>(decoded), envelope.source);
}

}  // namespace xdplb::ha
