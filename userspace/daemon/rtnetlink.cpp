#include "daemon/rtnetlink.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

namespace xdplb::daemon {

namespace {

// Large enough for any single answer to the requests below.
constexpr std::size_t kReceiveBufferSize = 32768;

int address_family(const IpAddress& address) {
    return address.family() == IpAddress::Family::v4 ? AF_INET : AF_INET6;
}

std::size_t address_length(const IpAddress& address) {
    return address.family() == IpAddress::Family::v4 ? 4 : 16;
}

// One netlink request: the netlink header (its length and sequence number are
// filled in when sent), the family's fixed header, then attributes.
class Request {
public:
    template <typename FamilyHeader>
    Request(std::uint16_t type, std::uint16_t flags, const FamilyHeader& family_header) {
        nlmsghdr header{};
        header.nlmsg_type = type;
        header.nlmsg_flags = NLM_F_REQUEST | flags;
        append(&header, sizeof header);
        append(&family_header, sizeof family_header);
    }

    void attribute(std::uint16_t type, const void* data, std::size_t length) {
        nlattr header{};
        header.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + length);
        header.nla_type = type;
        append(&header, sizeof header);
        append(data, length);
    }

    std::vector<std::uint8_t> take() && {
        const auto length = static_cast<std::uint32_t>(bytes_.size());
        std::memcpy(bytes_.data() + offsetof(nlmsghdr, nlmsg_len), &length, sizeof length);
        return std::move(bytes_);
    }

private:
    void append(const void* data, std::size_t length) {
        const auto* first = static_cast<const std::uint8_t*>(data);
        bytes_.insert(bytes_.end(), first, first + length);
        bytes_.resize(NLMSG_ALIGN(bytes_.size()));
    }

    std::vector<std::uint8_t> bytes_;
};

// Calls visit(type, data, length) for each well-formed attribute of the
// `size` bytes of `message` from `offset` on; stops at the first malformed one.
template <typename Visit>
void for_each_attribute(const std::uint8_t* message, std::size_t size, std::size_t offset, Visit visit) {
    while (offset + NLA_HDRLEN <= size) {
        nlattr header{};
        std::memcpy(&header, message + offset, sizeof header);
        if (header.nla_len < NLA_HDRLEN || header.nla_len > size - offset) return;
        visit(header.nla_type & NLA_TYPE_MASK, message + offset + NLA_HDRLEN, header.nla_len - NLA_HDRLEN);
        offset += NLA_ALIGN(header.nla_len);
    }
}

std::optional<IpAddress> address_from(int family, const std::uint8_t* data, std::size_t length) {
    std::array<std::uint8_t, 16> bytes{};
    if (family == AF_INET && length == 4) {
        std::memcpy(bytes.data(), data, 4);
        return IpAddress::from_bytes(IpAddress::Family::v4, bytes);
    }
    if (family == AF_INET6 && length == 16) {
        std::memcpy(bytes.data(), data, 16);
        return IpAddress::from_bytes(IpAddress::Family::v6, bytes);
    }
    return std::nullopt;
}

// The kernel's own explanation of a refusal (extended ack), if it sent one.
std::string explanation(const std::uint8_t* message, const nlmsghdr& header) {
    if (!(header.nlmsg_flags & NLM_F_ACK_TLVS) || !(header.nlmsg_flags & NLM_F_CAPPED)) return "";
    std::string text;
    for_each_attribute(message, header.nlmsg_len, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nlmsgerr)),
                       [&text](unsigned type, const std::uint8_t* data, std::size_t length) {
                           if (type != NLMSGERR_ATTR_MSG) return;
                           const auto* chars = reinterpret_cast<const char*>(data);
                           text.assign(chars, ::strnlen(chars, length));
                       });
    return text.empty() ? "" : " (" + text + ")";
}

}  // namespace

RtNetlink::RtNetlink() {
    fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd_ < 0) throw NetlinkError(std::string("cannot open a rtnetlink socket: ") + std::strerror(errno), errno);
    const int on = 1;
    // Refusals then carry the kernel's text, and acks only the request's header.
    // Both are best effort: without them errors are plain errno values.
    ::setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof on);
    ::setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof on);
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(kAnswerTimeout);
    timeval timeout{};
    timeout.tv_sec = seconds.count();
    timeout.tv_usec = std::chrono::duration_cast<std::chrono::microseconds>(kAnswerTimeout - seconds).count();
    if (::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) {
        const int error = errno;
        ::close(fd_);
        throw NetlinkError(std::string("cannot set a timeout on the rtnetlink socket: ") + std::strerror(error), error);
    }
}

RtNetlink::~RtNetlink() { ::close(fd_); }

std::vector<std::uint8_t> RtNetlink::exchange(std::vector<std::uint8_t> request, const char* what) {
    const std::uint32_t sequence = ++sequence_;
    std::memcpy(request.data() + offsetof(nlmsghdr, nlmsg_seq), &sequence, sizeof sequence);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    const auto* to = reinterpret_cast<const sockaddr*>(&kernel);
    if (::sendto(fd_, request.data(), request.size(), 0, to, sizeof kernel) < 0) {
        throw NetlinkError(std::string(what) + ": cannot send to the kernel: " + std::strerror(errno), errno);
    }
    std::vector<std::uint8_t> buffer(kReceiveBufferSize);
    for (;;) {
        const ssize_t received = ::recv(fd_, buffer.data(), buffer.size(), 0);
        if (received < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw NetlinkError(std::string(what) + ": the kernel did not answer in time", ETIMEDOUT);
            }
            throw NetlinkError(std::string(what) + ": cannot read the kernel's answer: " + std::strerror(errno), errno);
        }
        std::size_t offset = 0;
        while (offset + NLMSG_HDRLEN <= static_cast<std::size_t>(received)) {
            nlmsghdr header{};
            std::memcpy(&header, buffer.data() + offset, sizeof header);
            if (header.nlmsg_len < NLMSG_HDRLEN || header.nlmsg_len > received - offset) break;
            const std::uint8_t* message = buffer.data() + offset;
            offset += NLMSG_ALIGN(header.nlmsg_len);
            // The late answer to an earlier request that timed out.
            if (header.nlmsg_seq != sequence) continue;
            if (header.nlmsg_type != NLMSG_ERROR) return std::vector<std::uint8_t>(message, message + header.nlmsg_len);
            nlmsgerr error{};
            if (header.nlmsg_len < NLMSG_LENGTH(sizeof error)) {
                throw NetlinkError(std::string(what) + ": truncated answer from the kernel", EPROTO);
            }
            std::memcpy(&error, message + NLMSG_HDRLEN, sizeof error);
            if (error.error == 0) return {};
            throw NetlinkError(std::string(what) + ": " + std::strerror(-error.error) + explanation(message, header),
                               -error.error);
        }
    }
}

Route RtNetlink::route_to(const IpAddress& address) {
    const std::string what = "looking up the route to " + address.to_string();
    rtmsg header{};
    header.rtm_family = static_cast<std::uint8_t>(address_family(address));
    header.rtm_dst_len = static_cast<std::uint8_t>(8 * address_length(address));
    Request request(RTM_GETROUTE, 0, header);
    request.attribute(RTA_DST, address.bytes().data(), address_length(address));
    const std::vector<std::uint8_t> reply = exchange(std::move(request).take(), what.c_str());
    if (reply.size() < NLMSG_LENGTH(sizeof(rtmsg))) throw NetlinkError(what + ": unexpected answer", EPROTO);
    Route route;
    for_each_attribute(reply.data(), reply.size(), NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(rtmsg)),
                       [&route, &address](unsigned type, const std::uint8_t* data, std::size_t length) {
                           if (type == RTA_OIF && length == sizeof(std::uint32_t)) {
                               std::uint32_t ifindex = 0;
                               std::memcpy(&ifindex, data, sizeof ifindex);
                               route.ifindex = static_cast<int>(ifindex);
                           } else if (type == RTA_GATEWAY) {
                               route.gateway = address_from(address_family(address), data, length);
                           } else if (type == RTA_VIA && length >= sizeof(rtvia)) {
                               // A gateway of the other family (an IPv4 route via an IPv6 router).
                               rtvia via{};
                               std::memcpy(&via, data, sizeof via);
                               route.gateway = address_from(via.rtvia_family, data + sizeof via, length - sizeof via);
                           }
                       });
    if (route.ifindex == 0) throw NetlinkError(what + ": the kernel's answer names no interface", EPROTO);
    return route;
}

std::optional<NeighbourEntry> RtNetlink::neighbour(int ifindex, const IpAddress& address) {
    const std::string what = "reading the neighbour entry of " + address.to_string();
    ndmsg header{};
    header.ndm_family = static_cast<std::uint8_t>(address_family(address));
    header.ndm_ifindex = ifindex;
    Request request(RTM_GETNEIGH, 0, header);
    request.attribute(NDA_DST, address.bytes().data(), address_length(address));
    std::vector<std::uint8_t> reply;
    try {
        reply = exchange(std::move(request).take(), what.c_str());
    } catch (const NetlinkError& error) {
        if (error.error_number() == ENOENT) return std::nullopt;
        throw;
    }
    if (reply.size() < NLMSG_LENGTH(sizeof(ndmsg))) throw NetlinkError(what + ": unexpected answer", EPROTO);
    ndmsg found{};
    std::memcpy(&found, reply.data() + NLMSG_HDRLEN, sizeof found);
    NeighbourEntry entry;
    entry.state = found.ndm_state;
    entry.flags = found.ndm_flags;
    for_each_attribute(reply.data(), reply.size(), NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ndmsg)),
                       [&entry](unsigned type, const std::uint8_t* data, std::size_t length) {
                           if (type == NDA_FLAGS_EXT && length == sizeof entry.ext_flags) {
                               std::memcpy(&entry.ext_flags, data, sizeof entry.ext_flags);
                           }
                       });
    return entry;
}

void RtNetlink::replace_with_managed_neighbour(int ifindex, const IpAddress& address) {
    const std::string what = "adding a managed neighbour entry for " + address.to_string();
    ndmsg header{};
    header.ndm_family = static_cast<std::uint8_t>(address_family(address));
    header.ndm_ifindex = ifindex;
    header.ndm_state = NUD_NONE;
    Request request(RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, header);
    request.attribute(NDA_DST, address.bytes().data(), address_length(address));
    const std::uint32_t managed = NTF_EXT_MANAGED;
    request.attribute(NDA_FLAGS_EXT, &managed, sizeof managed);
    exchange(std::move(request).take(), what.c_str());
}

void RtNetlink::delete_neighbour(int ifindex, const IpAddress& address) {
    const std::string what = "deleting the neighbour entry of " + address.to_string();
    ndmsg header{};
    header.ndm_family = static_cast<std::uint8_t>(address_family(address));
    header.ndm_ifindex = ifindex;
    Request request(RTM_DELNEIGH, NLM_F_ACK, header);
    request.attribute(NDA_DST, address.bytes().data(), address_length(address));
    exchange(std::move(request).take(), what.c_str());
}

namespace {

Request address_request(std::uint16_t type, std::uint16_t flags, int ifindex, const IpAddress& address,
                        std::uint8_t prefix_length) {
    ifaddrmsg header{};
    header.ifa_family = static_cast<std::uint8_t>(address_family(address));
    header.ifa_prefixlen = prefix_length;
    header.ifa_index = static_cast<std::uint32_t>(ifindex);
    header.ifa_flags = address.family() == IpAddress::Family::v6 ? IFA_F_NODAD : 0;
    Request request(type, flags, header);
    request.attribute(IFA_LOCAL, address.bytes().data(), address_length(address));
    request.attribute(IFA_ADDRESS, address.bytes().data(), address_length(address));
    return request;
}

}  // namespace

void RtNetlink::add_address(int ifindex, const IpAddress& address, std::uint8_t prefix_length) {
    const std::string what = "adding " + address.to_string() + "/" + std::to_string(prefix_length);
    try {
        exchange(address_request(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ifindex, address, prefix_length)
                     .take(),
                 what.c_str());
    } catch (const NetlinkError& error) {
        if (error.error_number() != EEXIST) throw;
    }
}

void RtNetlink::delete_address(int ifindex, const IpAddress& address, std::uint8_t prefix_length) {
    const std::string what = "removing " + address.to_string() + "/" + std::to_string(prefix_length);
    try {
        exchange(address_request(RTM_DELADDR, NLM_F_ACK, ifindex, address, prefix_length).take(), what.c_str());
    } catch (const NetlinkError& error) {
        if (error.error_number() != EADDRNOTAVAIL) throw;
    }
}

}  // namespace xdplb::daemon
