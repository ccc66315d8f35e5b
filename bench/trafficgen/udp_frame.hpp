// The frames xdplb-trafficgen sends: Ethernet, IPv4 without options, UDP, and
// a payload that starts with a probe. Both checksums are complete, since the
// frames leave by AF_XDP, with no offload to finish them, and netfilter
// scenarios drop frames whose checksums are wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "bench_values.hpp"
#include "probe.hpp"

namespace xdplb::bench {

struct UdpEndpoints {
    MacAddress src_mac{};
    MacAddress dst_mac{};
    std::uint32_t src_ip = 0;  // host byte order
    std::uint32_t dst_ip = 0;
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
};

inline constexpr std::size_t kUdpHeadersSize = 14 + 20 + 8;
inline constexpr std::size_t kEthernetFcsSize = 4;
// On the wire, FCS included.
inline constexpr std::size_t kMinUdpFrameSize = 64;
inline constexpr std::size_t kMaxUdpFrameSize = 1518;

// Writes a whole frame over `frame` (its size is the frame's, FCS excluded:
// 60 bytes at least); the payload past the probe is zeros.
void write_udp_frame(std::span<std::uint8_t> frame, const UdpEndpoints& endpoints, const Probe& probe);

// The payload of an IPv4 UDP frame (trimmed to the UDP length), or nothing
// for any other frame.
std::optional<std::span<const std::uint8_t>> udp_payload(std::span<const std::uint8_t> frame);

}  // namespace xdplb::bench
