// One AF_XDP socket in copy mode (veth has no zero-copy mode) on queue 0 of
// an interface, with a UMEM of its own, through libxdp's xsk API. It never
// loads an XDP program: the receiver attaches its own and registers the
// socket in that program's XSKMAP.
#pragma once

#include <xdp/xsk.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace xdplb::bench {

class XskPort {
public:
    enum class Direction { transmit, receive };

    static constexpr std::uint32_t kFrames = 4096;
    static constexpr std::uint32_t kFrameSize = XSK_UMEM__DEFAULT_FRAME_SIZE;
    static constexpr std::uint32_t kRingSize = 2048;

    XskPort(const std::string& iface, Direction direction);
    ~XskPort();
    XskPort(const XskPort&) = delete;
    XskPort& operator=(const XskPort&) = delete;

    int fd() const;
    xsk_socket* socket() const { return socket_; }
    xsk_ring_prod& fill() { return fill_; }
    xsk_ring_cons& completion() { return completion_; }
    xsk_ring_cons& rx() { return rx_; }
    xsk_ring_prod& tx() { return tx_; }
    std::span<std::uint8_t> frame(std::uint64_t address, std::uint32_t length);
    // Frames the kernel dropped on their way into this socket: its RX ring
    // was full, or its fill ring empty (XDP_STATISTICS).
    std::uint64_t rx_dropped() const;
    // The UMEM address of every frame, for the caller to hand out.
    std::vector<std::uint64_t> frame_addresses() const;

private:
    void* area_ = nullptr;
    xsk_umem* umem_ = nullptr;
    xsk_socket* socket_ = nullptr;
    xsk_ring_prod fill_{};
    xsk_ring_cons completion_{};
    xsk_ring_cons rx_{};
    xsk_ring_prod tx_{};
};

}  // namespace xdplb::bench
