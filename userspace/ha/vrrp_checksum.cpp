#include "ha/vrrp_checksum.hpp"

namespace xdplb::ha {
namespace {

// Adds bytes as big-endian 16-bit words, an odd last byte padded with zero.
// 64 bits hold the sum of any message unfolded.
std::uint64_t add_words(std::uint64_t sum, std::span<const std::uint8_t> bytes) {
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) sum += static_cast<std::uint64_t>(bytes[i]) << 8 | bytes[i + 1];
    if (i < bytes.size()) sum += static_cast<std::uint64_t>(bytes[i]) << 8;
    return sum;
}

std::span<const std::uint8_t> address_bytes(const IpAddress& address) {
    return std::span(address.bytes()).first(address.family() == IpAddress::Family::v4 ? 4 : 16);
}

}  // namespace

std::uint16_t vrrp_checksum(std::span<const std::uint8_t> message, const IpAddress& source,
                            const IpAddress& destination, Ipv4Checksum ipv4_checksum) {
    std::uint64_t sum = 0;
    if (source.family() == IpAddress::Family::v6 || ipv4_checksum == Ipv4Checksum::with_pseudo_header) {
        // IPv4 (RFC 768 layout): source, destination, zero, protocol, 16-bit length.
        // IPv6 (RFC 8200 8.1): source, destination, 32-bit length, zeros, next header.
        // As 16-bit words both add up to the addresses, the length and the protocol.
        sum = add_words(sum, address_bytes(source));
        sum = add_words(sum, address_bytes(destination));
        std::uint64_t length = message.size();
        sum += (length >> 16) + (length & 0xffff) + kVrrpProtocol;
    }
    sum = add_words(sum, message);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xffff);
}

}  // namespace xdplb::ha
