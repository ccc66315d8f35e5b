// An IP address and a port as options spell them: "198.18.0.1:9842", "[fd00::1]:9842".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/ip_address.hpp"

namespace xdplb {

struct SocketAddress {
    IpAddress address;
    std::uint16_t port = 0;

    // An IPv6 address must be in brackets, an IPv4 one must not; port 1-65535.
    static std::optional<SocketAddress> parse(const std::string& text);
    std::string to_string() const;
};

}  // namespace xdplb
