#include "common/socket_address.hpp"

#include <charconv>

namespace xdplb {

std::optional<SocketAddress> SocketAddress::parse(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string address_text = text.substr(0, colon);
    const std::string port_text = text.substr(colon + 1);
    const bool bracketed = address_text.size() > 2 && address_text.front() == '[' && address_text.back() == ']';
    if (bracketed) address_text = address_text.substr(1, address_text.size() - 2);
    const std::optional<IpAddress> address = IpAddress::parse(address_text);
    unsigned port = 0;
    const char* end = port_text.data() + port_text.size();
    auto [parsed_up_to, error] = std::from_chars(port_text.data(), end, port);
    if (!address || bracketed != (address->family() == IpAddress::Family::v6) || error != std::errc() ||
        parsed_up_to != end || port < 1 || port > 65535) {
        return std::nullopt;
    }
    return SocketAddress{*address, static_cast<std::uint16_t>(port)};
}

std::string SocketAddress::to_string() const {
    const std::string host = address.family() == IpAddress::Family::v6 ? "[" + address.to_string() + "]"
                                                                        : address.to_string();
    return host + ":" + std::to_string(port);
}

}  // namespace xdplb
