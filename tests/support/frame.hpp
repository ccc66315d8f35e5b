// Builds Ethernet/IPv4|IPv6/TCP|UDP frames byte by byte (the family follows
// the addresses), with checksums computed from
// scratch, so tests judge the data plane's incremental updates against an
// independent reference.
#pragma once

#include <array>
#include <cstdint>
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
