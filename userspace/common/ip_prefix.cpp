#include "common/ip_prefix.hpp"

#include <algorithm>
#include <array>

namespace xdplb {

namespace {

using Bytes = std::array<std::uint8_t, 16>;

// The bytes with every bit past the first `length` cleared.
Bytes network_part(const Bytes& bytes, unsigned length) {
    Bytes network{};
    for (unsigned bit = 0; bit < length; ++bit) {
        std::uint8_t mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
        network[bit / 8] |= static_cast<std::uint8_t>(bytes[bit / 8] & mask);
    }
    return network;
}

// Digits only, no sign or spaces, and no leading zero: "24", never "024" or "+24".
bool parse_length(const std::string& text, unsigned max, unsigned& length) {
    if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return false;
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    length = static_cast<unsigned>(std::stoul(text));
    return length <= max;
}

}  // namespace

IpPrefix IpPrefix::parse(const std::string& text) {
    const std::size_t slash = text.find('/');
    const std::string address_text = text.substr(0, slash);
    auto address = IpAddress::parse(address_text);
    if (!address) throw std::invalid_argument("'" + text + "' is not an address or an ADDR/LEN prefix");
    const unsigned max = address->family() == IpAddress::Family::v4 ? 32 : 128;
    unsigned length = max;
    if (slash != std::string::npos && !parse_length(text.substr(slash + 1), max, length)) {
        throw std::invalid_argument("'" + text + "' needs a prefix length from 0 to " + std::to_string(max));
    }
    const auto prefix_length = static_cast<std::uint8_t>(length);
    const Bytes network = network_part(address->bytes(), length);
    if (network != address->bytes()) {
        IpPrefix meant(IpAddress::from_bytes(address->family(), network), prefix_length);
        throw std::invalid_argument("'" + text + "' has host bits set; the prefix is " + meant.to_string());
    }
    return IpPrefix(*address, prefix_length);
}

std::string IpPrefix::to_string() const { return address_.to_string() + "/" + std::to_string(length_); }

}  // namespace xdplb
