// An IP prefix in CIDR notation (198.18.0.0/15, fd00::/8): an address whose
// host bits are all zero and the length of its network part.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "common/ip_address.hpp"

namespace xdplb {

class IpPrefix {
public:
    // Accepts ADDR/LEN, or ADDR alone for a single host (/32 or /128). Throws
    // std::invalid_argument with a one-line reason: not an address, a length
    // out of range, or host bits set (the message names the prefix meant).
    static IpPrefix parse(const std::string& text);

    const IpAddress& address() const { return address_; }
    std::uint8_t length() const { return length_; }
    IpAddress::Family family() const { return address_.family(); }
    std::string to_string() const;

    friend bool operator==(const IpPrefix&, const IpPrefix&) = default;

private:
    IpPrefix(IpAddress address, std::uint8_t length) : address_(address), length_(length) {}

    IpAddress address_;
    std::uint8_t length_ = 0;
};

}  // namespace xdplb
