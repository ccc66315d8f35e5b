// The `send` role: UDP frames of many flows toward one destination, paced
// open-loop at a set rate through an AF_XDP socket, each carrying a probe;
// then end markers that tell the receiver how many frames were sent.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "udp_frame.hpp"

namespace xdplb::bench {

struct SendOptions {
    std::string iface;
    UdpEndpoints destination;  // destination MAC, address and port; the rest is per flow
    std::uint32_t flows = 1;
    std::uint32_t first_saddr = 0;  // host byte order
    std::uint16_t first_sport = 0;
    std::uint32_t ports_per_saddr = 1;
    std::size_t frame_size = kMinUdpFrameSize;  // on the wire, FCS included
    double rate = 0;                            // frames per second
    std::uint64_t frames = 0;                   // the schedule's length
    // Stop there even if frames remain (a sender that fell behind): a run
    // by duration lasts its duration. Nothing: send every frame.
    std::optional<std::uint64_t> deadline_ns;   // after the start
    std::uint32_t run_id = 0;
    std::uint32_t batch = 1;
};

struct SendResult {
    std::uint64_t sent = 0;
    // From the first frame to the kernel's taking the last one, plus that
    // frame's own interval: `frames` at exactly `rate` take frames / rate.
    double seconds = 0;
    double achieved_pps = 0;
};

// Flow `flow`'s source: ports from first_sport upwards of one address,
// ports_per_saddr of them, then the next address.
void set_flow_source(const SendOptions& options, std::uint32_t flow, UdpEndpoints& endpoints);

// Sends until every frame is out, the deadline passes or `stop` is set.
SendResult send_frames(const SendOptions& options, const std::atomic<bool>& stop);

}  // namespace xdplb::bench
