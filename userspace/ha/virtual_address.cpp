#include "ha/virtual_address.hpp"

#include <net/if.h>

#include <algorithm>
#include <stdexcept>

namespace xdplb::ha {

std::string VirtualAddress::to_string() const {
    return address.to_string() + "/" + std::to_string(prefix_length) + (interface ? "@" + *interface : "");
}

VirtualAddress parse_virtual_address(const std::string& text) {
    const auto fail = [&text](const std::string& why) { return std::invalid_argument("'" + text + "' " + why); };
    const std::size_t at = text.find('@');
    const std::string prefix_text = text.substr(0, at);
    VirtualAddress parsed;
    if (at != std::string::npos) {
        parsed.interface = text.substr(at + 1);
        if (parsed.interface->empty() || parsed.interface->size() >= IFNAMSIZ ||
            parsed.interface->find_first_of("/@ ") != std::string::npos) {
            throw fail("names no valid interface after '@'");
        }
    }
    const std::size_t slash = prefix_text.find('/');
    if (slash == std::string::npos) throw fail("must be ADDR/PREFIX[@IF]");
    const std::optional<IpAddress> address = IpAddress::parse(prefix_text.substr(0, slash));
    if (!address) throw fail("must be ADDR/PREFIX[@IF]: '" + prefix_text.substr(0, slash) + "' is not an address");
    parsed.address = *address;
    const unsigned max = address->family() == IpAddress::Family::v4 ? 32 : 128;
    const std::string length = prefix_text.substr(slash + 1);
    const bool digits = !length.empty() && length.size() <= 3 && (length.size() == 1 || length[0] != '0') &&
                        std::all_of(length.begin(), length.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoul(length) < 1 || std::stoul(length) > max) {
        throw fail("needs a prefix length from 1 to " + std::to_string(max));
    }
    parsed.prefix_length = static_cast<std::uint8_t>(std::stoul(length));
    return parsed;
}

}  // namespace xdplb::ha
