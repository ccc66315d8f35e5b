#include "bench_values.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace xdplb::bench {

std::uint32_t parse_bench_address(const std::string& option, const std::string& text) {
    in_addr address{};
    if (inet_pton(AF_INET, text.c_str(), &address) != 1) {
        throw UsageError("--" + option + " must be an IPv4 address, got '" + text + "'");
    }
    const std::uint32_t host = ntohl(address.s_addr);
    if (!in_bench_range(host)) throw UsageError("--" + option + " must lie in 198.18.0.0/15, got '" + text + "'");
    return host;
}

MacAddress parse_mac(const std::string& option, const std::string& text) {
    MacAddress mac{};
    unsigned parts[6];
    char tail;
    if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &parts[0], &parts[1], &parts[2], &parts[3],
                    &parts[4], &parts[5], &tail) != 6) {
        throw UsageError("--" + option + " must be a MAC address like 02:00:00:00:00:01, got '" + text + "'");
    }
    for (int i = 0; i < 6; ++i) mac[i] = static_cast<std::uint8_t>(parts[i]);
    return mac;
}

MacAddress interface_mac(const std::string& iface) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    ifreq request{};
    std::strncpy(request.ifr_name, iface.c_str(), IFNAMSIZ - 1);
    const int rc = ioctl(fd, SIOCGIFHWADDR, &request);
    const int saved_errno = errno;
    close(fd);
    if (rc != 0) throw std::runtime_error("cannot read the MAC address of " + iface + ": " + std::strerror(saved_errno));
    MacAddress mac{};
    std::memcpy(mac.data(), request.ifr_hwaddr.sa_data, mac.size());
    return mac;
}

}  // namespace xdplb::bench
