#include "sender.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "clock.hpp"
#include "pacing.hpp"
#include "xsk_port.hpp"

namespace xdplb::bench {
namespace {

// End markers: several, apart, so that one lost frame does not cost the run.
constexpr int kEndMarkers = 8;
constexpr std::uint64_t kEndMarkerGapNs = 1'000'000;
// A sleep overshoots by tens of microseconds: closer than this, spin.
constexpr std::uint64_t kSpinBelowNs = 200'000;
constexpr std::uint64_t kWakeEarlyNs = 100'000;
constexpr std::uint64_t kDrainTimeoutNs = 1'000'000'000;
// When the device pushes back, the frames ahead wait for softirq work that
// may have gone to ksoftirqd, which a sender spinning at a real-time priority
// would starve: step aside this long instead.
constexpr std::uint64_t kPushBackPauseNs = 50'000;

void step_aside(std::uint64_t ns) { sleep_until_ns(monotonic_ns() + ns); }

class Transmitter {
public:
    explicit Transmitter(const SendOptions& options)
        : options_(options), port_(options.iface, XskPort::Direction::transmit), free_(port_.frame_addresses()),
          length_(static_cast<std::uint32_t>(options.frame_size - kEthernetFcsSize)) {}

    // Queues up to `count` frames stamped `now_ns`, from sequence `next`;
    // returns how many fitted.
    std::uint32_t queue(std::uint64_t next, std::uint32_t count, std::uint64_t now_ns, ProbeKind kind) {
        count = std::min<std::uint32_t>(count, static_cast<std::uint32_t>(free_.size()));
        std::uint32_t index = 0;
        count = xsk_ring_prod__reserve(&port_.tx(), count, &index);
        UdpEndpoints endpoints = options_.destination;
        for (std::uint32_t i = 0; i < count; ++i) {
            const std::uint64_t sequence = next + (kind == ProbeKind::data ? i : 0);
            const std::uint64_t address = free_.back();
            free_.pop_back();
            set_flow_source(options_, kind == ProbeKind::data ? static_cast<std::uint32_t>(sequence % options_.flows) : 0,
                            endpoints);
            write_udp_frame(port_.frame(address, length_), endpoints,
                            Probe{options_.run_id, static_cast<std::uint32_t>(sequence), now_ns, kind});
            xdp_desc* descriptor = xsk_ring_prod__tx_desc(&port_.tx(), index + i);
            descriptor->addr = address;
            descriptor->len = length_;
        }
        xsk_ring_prod__submit(&port_.tx(), count);
        return count;
    }

    // Has the kernel taken every queued frame off the TX ring?
    bool ring_empty() { return xsk_prod_nb_free(&port_.tx(), XskPort::kRingSize) == XskPort::kRingSize; }

    // Asks the kernel to transmit (in copy mode, sendto does the work, a
    // few dozen frames a call), then takes back the frames it is done with.
    // False when the kernel pushed back.
    bool kick() {
        bool taken = true;
        if (!ring_empty() && sendto(port_.fd(), nullptr, 0, MSG_DONTWAIT, nullptr, 0) < 0) {
            // Busy device, full completion ring, more left: all mean "again".
            if (errno != EAGAIN && errno != EBUSY && errno != ENOBUFS && errno != EINTR) {
                throw std::runtime_error(std::string("AF_XDP transmit: ") + std::strerror(errno));
            }
            taken = false;
        }
        std::uint32_t index = 0;
        const std::uint32_t done = xsk_ring_cons__peek(&port_.completion(), XskPort::kFrames, &index);
        for (std::uint32_t i = 0; i < done; ++i) free_.push_back(*xsk_ring_cons__comp_addr(&port_.completion(), index + i));
        xsk_ring_cons__release(&port_.completion(), done);
        return taken;
    }

    // Kicks until the kernel has taken every queued frame or `deadline`.
    void drain(std::uint64_t deadline) {
        while (!ring_empty() && monotonic_ns() < deadline) {
            if (!kick()) step_aside(kPushBackPauseNs);
        }
    }

private:
    const SendOptions& options_;
    XskPort port_;
    std::vector<std::uint64_t> free_;
    std::uint32_t length_;
};

}  // namespace

void set_flow_source(const SendOptions& options, std::uint32_t flow, UdpEndpoints& endpoints) {
    endpoints.src_ip = options.first_saddr + flow / options.ports_per_saddr;
    endpoints.src_port = static_cast<std::uint16_t>(options.first_sport + flow % options.ports_per_saddr);
}

SendResult send_frames(const SendOptions& options, const std::atomic<bool>& stop) {
    Transmitter transmitter(options);
    const PacingSchedule schedule(options.rate, options.frames);
    std::uint64_t queued = 0;
    const std::uint64_t start = monotonic_ns();
    const std::uint64_t deadline = options.deadline_ns ? start + *options.deadline_ns : UINT64_MAX;
    SpinBudget budget;
    while (queued < options.frames && !stop.load(std::memory_order_relaxed)) {
        const std::uint64_t now = monotonic_ns();
        if (now >= deadline) break;
        budget.turn(now);
        const std::uint64_t due = schedule.due_by(now - start);
        if (due > queued) {
            const auto wanted = static_cast<std::uint32_t>(std::min<std::uint64_t>(due - queued, options.batch));
            queued += transmitter.queue(queued, wanted, now, ProbeKind::data);
        } else if (transmitter.ring_empty()) {
            const std::uint64_t next = start + schedule.due_at(queued);
            if (next > now + kSpinBelowNs) {
                sleep_until_ns(next - kWakeEarlyNs);
                budget.rested();
            }
        }
        if (!transmitter.kick()) step_aside(kPushBackPauseNs);
    }
    transmitter.drain(monotonic_ns() + kDrainTimeoutNs);
    const std::uint64_t end = monotonic_ns();

    const std::uint64_t markers_deadline = monotonic_ns() + kDrainTimeoutNs;
    for (int marker = 0; marker < kEndMarkers; ++marker) {
        // Every UMEM frame may still be in flight: wait for one to come back.
        while (transmitter.queue(queued, 1, monotonic_ns(), ProbeKind::end) == 0 && monotonic_ns() < markers_deadline) {
            if (!transmitter.kick()) step_aside(kPushBackPauseNs);
        }
        transmitter.drain(markers_deadline);
        step_aside(kEndMarkerGapNs);
    }

    SendResult result;
    result.sent = queued;
    result.seconds = static_cast<double>(end - start) / 1e9 + 1.0 / options.rate;
    result.achieved_pps = static_cast<double>(queued) / result.seconds;
    return result;
}

}  // namespace xdplb::bench
