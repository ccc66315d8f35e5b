// Builds Ethernet/IPv4|IPv6/TCP|UDP|ICMP frames byte by byte (the family
// follows the addresses), with checksums computed from scratch, so tests judge
// the data plane's incremental updates against an independent reference.
#pragma once

#include <array>
#include <cstdint>
#include <cstddef>
#include <string>
#include <vector>

namespace xdplb::testing {

using Bytes = std::vector<std::uint8_t>;
using Mac = std::array<std::uint8_t, 6>;

inline constexpr std::uint8_t kTcp = 6;
inline constexpr std::uint8_t kUdp = 17;

inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kAck = 0x10;
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kRst = 0x04;

struct FrameSpec {
    Mac src_mac{};
    Mac dst_mac{};
    std::string src_ip;
    std::string dst_ip;
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    std::uint8_t proto = kTcp;
    std::uint8_t tcp_flags = kSyn;
    std::uint8_t ttl = 64;  // the hop limit for IPv6
    std::uint16_t ip_id = 0x1234;
    std::uint16_t frag_off = 0x4000;  // DF
    bool udp_without_checksum = false;
    std::string payload;
};

Bytes build_frame(const FrameSpec& spec);

inline constexpr std::uint8_t kIcmpEchoRequest = 8;
inline constexpr std::uint8_t kIcmpEchoReply = 0;
inline constexpr std::uint8_t kIcmpDestUnreachable = 3;
inline constexpr std::uint8_t kIcmpTimeExceeded = 11;
inline constexpr std::uint8_t kIcmpCodePortUnreachable = 3;
inline constexpr std::uint8_t kIcmpCodeFragNeeded = 4;
inline constexpr std::uint8_t kIcmp6DestUnreachable = 1;
inline constexpr std::uint8_t kIcmp6PacketTooBig = 2;
inline constexpr std::uint8_t kIcmp6TimeExceeded = 3;
inline constexpr std::uint8_t kIcmp6EchoRequest = 128;
inline constexpr std::uint8_t kIcmp6EchoReply = 129;
inline constexpr std::uint8_t kIcmp6CodePortUnreachable = 4;

// An ICMP message over IPv4, or an ICMPv6 one over IPv6 (the family follows
// the addresses): the 8-byte header, then `body` (echo data, or the packet an
// error quotes). The ICMPv6 checksum covers the pseudo-header.
struct IcmpSpec {
    Mac src_mac{};
    Mac dst_mac{};
    std::string src_ip;
    std::string dst_ip;
    std::uint8_t ttl = 64;  // the hop limit for IPv6
    std::uint16_t frag_off = 0;  // IPv4 only
    std::uint8_t type = kIcmpEchoRequest;
    std::uint8_t code = 0;
    std::uint32_t rest = 0;  // echo: identifier << 16 | sequence; too big: the MTU
    Bytes body;
};

Bytes build_icmp_frame(const IcmpSpec& spec);

// The IP packet a frame carries (what an ICMP error quotes), its first `bytes` only.
Bytes ip_packet_of(const Bytes& frame, std::size_t bytes = SIZE_MAX);

// An IPv6 frame made a fragment: a fragment header (offset in 8-byte units,
// more-fragments flag) inserted after the fixed header, everything else kept.
Bytes as_ipv6_fragment(const Bytes& frame, std::uint16_t offset_units, bool more_fragments);

// Host-order L4 source port of a frame without IPv4 options or IPv6 extension headers.
std::uint16_t source_port_of(const Bytes& frame);
std::uint16_t destination_port_of(const Bytes& frame);

// Text form of the L3 source address of a frame.
std::string source_address_of(const Bytes& frame);
std::string destination_address_of(const Bytes& frame);

Mac mac(std::uint8_t last);  // 02:00:00:00:00:<last>

// Readable hex dump with the first differing byte marked, for failure messages.
std::string describe_difference(const Bytes& expected, const Bytes& actual);

}  // namespace xdplb::testing
