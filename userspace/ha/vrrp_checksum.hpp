// The checksum of a VRRPv3 message (RFC 5798 5.2.8): the Internet checksum
// (RFC 1071) over a pseudo-header of the carrying IP packet and the message.
#pragma once

#include <cstdint>
#include <span>

#include "common/ip_address.hpp"

namespace xdplb::ha {

inline constexpr std::uint8_t kVrrpProtocol = 112;  // IPv4 protocol, IPv6 next header

// RFC 5798 sums an IPv4 advert with a pseudo-header too (keepalived's and FRR's
// default); some vendors read 5.2.8 as IPv6-only and sum the message alone
// (keepalived's v3_checksum_as_v2, FRR's "no checksum-with-ipv4-pseudoheader").
// IPv6 always uses the pseudo-header.
enum class Ipv4Checksum : std::uint8_t { with_pseudo_header, message_only };

// The one's complement of the one's complement sum of the pseudo-header and
// `message` as it stands: with the checksum field zeroed, the value to write
// there; over a received message, 0 when its checksum is right. `source` and
// `destination` must be of one family.
std::uint16_t vrrp_checksum(std::span<const std::uint8_t> message, const IpAddress& source,
                            const IpAddress& destination, Ipv4Checksum ipv4_checksum);

}  // namespace xdplb::ha
