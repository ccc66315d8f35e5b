#include "xsk_port.hpp"

#include <linux/if_link.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace xdplb::bench {
namespace {

constexpr int kBusyAttempts = 100;
constexpr auto kBusyRetryInterval = std::chrono::milliseconds(20);
constexpr std::size_t kAreaSize = std::size_t{XskPort::kFrames} * XskPort::kFrameSize;

std::runtime_error xsk_error(const std::string& what, int rc) {
    return std::runtime_error(what + ": " + std::strerror(rc < 0 ? -rc : rc));
}

}  // namespace

XskPort::XskPort(const std::string& iface, Direction direction) {
    area_ = mmap(nullptr, kAreaSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area_ == MAP_FAILED) {
        area_ = nullptr;
        throw std::runtime_error(std::string("cannot map the UMEM: ") + std::strerror(errno));
    }
    const xsk_umem_config umem_config{
        .fill_size = kFrames, .comp_size = kFrames, .frame_size = kFrameSize, .frame_headroom = 0, .flags = 0};
    if (int rc = xsk_umem__create(&umem_, area_, kAreaSize, &fill_, &completion_, &umem_config); rc != 0) {
        munmap(area_, kAreaSize);
        throw xsk_error("cannot register the UMEM", rc);
    }
    xsk_socket_config config{};
    config.rx_size = kRingSize;
    config.tx_size = kRingSize;
    config.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
    config.xdp_flags = XDP_FLAGS_DRV_MODE;
    config.bind_flags = XDP_COPY;
    const bool receive = direction == Direction::receive;
    // A socket closed a moment ago holds the queue until its last frames in
    // flight come back: give it that moment.
    int rc = 0;
    for (int attempt = 0; attempt < kBusyAttempts; ++attempt) {
        rc = xsk_socket__create(&socket_, iface.c_str(), 0, umem_, receive ? &rx_ : nullptr, receive ? nullptr : &tx_,
                                &config);
        if (rc != -EBUSY) break;
        std::this_thread::sleep_for(kBusyRetryInterval);
    }
    if (rc != 0) {
        xsk_umem__delete(umem_);
        munmap(area_, kAreaSize);
        throw xsk_error("cannot open an AF_XDP socket in copy mode on " + iface + " queue 0", rc);
    }
}

XskPort::~XskPort() {
    xsk_socket__delete(socket_);
    xsk_umem__delete(umem_);
    munmap(area_, kAreaSize);
}

int XskPort::fd() const { return xsk_socket__fd(socket_); }

std::span<std::uint8_t> XskPort::frame(std::uint64_t address, std::uint32_t length) {
    return {static_cast<std::uint8_t*>(xsk_umem__get_data(area_, address)), length};
}

std::uint64_t XskPort::rx_dropped() const {
    xdp_statistics statistics{};
    socklen_t length = sizeof(statistics);
    if (getsockopt(fd(), SOL_XDP, XDP_STATISTICS, &statistics, &length) != 0) {
        throw std::runtime_error(std::string("cannot read the AF_XDP socket's statistics: ") + std::strerror(errno));
    }
    return statistics.rx_dropped + statistics.rx_ring_full;
}

std::vector<std::uint64_t> XskPort::frame_addresses() const {
    std::vector<std::uint64_t> addresses(kFrames);
    for (std::uint32_t i = 0; i < kFrames; ++i) addresses[i] = std::uint64_t{i} * kFrameSize;
    return addresses;
}

}  // namespace xdplb::bench
