#include "common/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace xdplb {

std::optional<IpAddress> IpAddress::parse(const std::string& text) {
    IpAddress address;
    // inet_pton reads a C string: text after an embedded NUL would go unseen.
    if (text.find('\0') != std::string::npos) return std::nullopt;
    // inet_pton refuses leading zeros, short forms like "10.1" and trailing junk.
    if (inet_pton(AF_INET, text.c_str(), address.bytes_.data()) == 1) {
        address.family_ = Family::v4;
        return address;
    }
    if (inet_pton(AF_INET6, text.c_str(), address.bytes_.data()) == 1) {
        address.family_ = Family::v6;
        return address;
    }
    return std::nullopt;
}

IpAddress IpAddress::from_bytes(Family family, const std::array<std::uint8_t, 16>& bytes) {
    IpAddress address;
    address.family_ = family;
    address.bytes_ = bytes;
    if (family == Family::v4) std::fill(address.bytes_.begin() + 4, address.bytes_.end(), 0);
    return address;
}

std::string IpAddress::to_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    int af = family_ == Family::v4 ? AF_INET : AF_INET6;
    inet_ntop(af, bytes_.data(), text, sizeof(text));
    return text;
}

}  // namespace xdplb
