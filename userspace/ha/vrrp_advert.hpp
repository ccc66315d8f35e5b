// A VRRPv3 advertisement (RFC 5798 5.2) to bytes and back. The socket layer
// gives the VRRP part of a received packet with the IP header fields the
// checks need, and sends what encode returns with TTL/hop limit 255.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "common/ip_address.hpp"
#include "ha/vrrp_checksum.hpp"

namespace xdplb::ha {

inline constexpr std::uint8_t kVrrpTtl = 255;              // sent with, and required on receipt
inline constexpr std::uint16_t kMaxAdvertInterval = 4095;  // centiseconds: the field has 12 bits
inline constexpr std::size_t kAdvertHeaderSize = 8;        // version to checksum
inline constexpr std::size_t kMaxAdvertAddresses = 255;    // the count field has 8 bits

struct Advert {
    std::uint8_t vrid = 0;
    std::uint8_t priority = 0;              // 0: the master is leaving; 255: the addresses' owner
    std::uint16_t max_advert_interval = 0;  // centiseconds, 1 to kMaxAdvertInterval
    std::vector<IpAddress> addresses;       // all of the family of the carrying packet

    friend bool operator==(const Advert&, const Advert&) = default;
};

// The IP header fields around an advert: its checksum covers the addresses,
// and a receiver requires TTL (IPv6: hop limit) 255, proof that the sender is
// on the link.
struct IpEnvelope {
    IpAddress source;
    IpAddress destination;
    std::uint8_t ttl = kVrrpTtl;
};

// The VRRP message, version to last address, checksum filled in. Throws
// std::invalid_argument for an advert no receiver would accept: VRID 0, no
// address or more than 255, an interval out of 1-4095, an address of another
// family than the envelope's.
std::vector<std::uint8_t> encode_advert(const Advert& advert, const IpEnvelope& envelope,
                                        Ipv4Checksum ipv4_checksum = Ipv4Checksum::with_pseudo_header);

// What RFC 5798 7.1 (and a sane timer) requires of a received advert, in the
// order decode_advert checks it.
enum class AdvertError : std::uint8_t {
    family_mismatch,  // source and destination of different families
    ttl_not_255,
    truncated,        // shorter than the fixed header
    bad_version,      // not 3 (a VRRPv2 speaker, or noise)
    bad_type,         // not 1, the only type defined
    length_mismatch,  // not the header plus "count" addresses of the packet's family
    bad_checksum,
    zero_interval,  // would make the backups' master down timer the skew alone
};
std::string to_string(AdvertError error);

// Never reads outside `message`, whatever its bytes; the reserved bits are ignored.
std::variant<Advert, AdvertError> decode_advert(std::span<const std::uint8_t> message, const IpEnvelope& envelope,
                                                Ipv4Checksum ipv4_checksum = Ipv4Checksum::with_pseudo_header);

}  // namespace xdplb::ha
