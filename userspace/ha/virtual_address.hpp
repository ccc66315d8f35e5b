// An address a virtual router floats: added on the interface of the node that
// is master, removed elsewhere. ADDR/PREFIX keeps the host part (it is an
// interface address, not a network), and @IF puts it on another interface
// than the one the adverts use: the backend-side gateway moves with the VIP.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/ip_address.hpp"

namespace xdplb::ha {

struct VirtualAddress {
    IpAddress address;
    std::uint8_t prefix_length = 32;
    std::optional<std::string> interface;  // none: the VRRP interface

    // "198.18.0.10/24", "fd00::10/64@lb-back0": as lbd --vip takes it.
    std::string to_string() const;
    friend bool operator==(const VirtualAddress&, const VirtualAddress&) = default;
};

// Parses ADDR/PREFIX[@IF]; throws std::invalid_argument with a one-line reason.
VirtualAddress parse_virtual_address(const std::string& text);

}  // namespace xdplb::ha
