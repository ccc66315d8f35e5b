// The frame xdplb-pktgen hands to pktgen.bpf.c, and the checksum sums the
// program completes for each flow's source address and port.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace xdplb::bench {

enum class Transport { udp, tcp };

struct FrameRecipe {
    std::array<std::uint8_t, 6> src_mac{};
    std::array<std::uint8_t, 6> dst_mac{};
    std::uint32_t dst_ip = 0;  // host byte order
    std::uint16_t dst_port = 0;
    Transport transport = Transport::udp;
    std::uint8_t tcp_flags = 0;  // TCP only: the flags byte (SYN 0x02, ACK 0x10)
    std::size_t frame_size = 0;  // on the wire, FCS included (64 is the smallest)
};

struct TemplateFrame {
    std::vector<std::uint8_t> bytes;  // FCS excluded: the device adds it
    // Sums with the source address, the source port and the checksums zero
    // (see pktgen_config.h).
    std::uint64_t ip_partial_sum = 0;
    std::uint64_t l4_partial_sum = 0;
};

inline constexpr std::size_t kEthernetFcsSize = 4;
inline constexpr std::size_t kMinFrameSize = 64;
inline constexpr std::size_t kMaxFrameSize = 1518;

TemplateFrame build_template_frame(const FrameRecipe& recipe);

}  // namespace xdplb::bench
