#include "receiver.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "clock.hpp"
#include "probe.hpp"
#include "udp_frame.hpp"
#include "xsk_port.hpp"

namespace xdplb::bench {
namespace {

// Frames still on their way when the end marker arrives (it was sent after
// the last data frame left the sender) get this long.
constexpr std::uint64_t kDrainNs = 100'000'000;
// While frames flow the receiver spins on its ring: a wake-up from poll()
// costs microseconds (more in a VM), which every latency would carry. Once
// the ring has been empty this long it sleeps in poll(), so that an idle
// receiver costs nothing, even at a real-time priority (SpinBudget keeps a
// busy one under the kernel's real-time share). The poll timeout bounds how
// late it notices the drain time or --timeout.
constexpr std::uint64_t kIdleBeforeSleepNs = 1'000'000;
constexpr int kSleepMs = 10;
constexpr std::uint32_t kBatch = 64;

// xsk_receiver.bpf.c, attached in native mode to the interface for as long
// as the receiver lives, and only if the interface had no XDP program.
class ReceiverProgram {
public:
    ReceiverProgram(const std::string& iface, xsk_socket* socket) {
        ifindex_ = static_cast<int>(if_nametoindex(iface.c_str()));
        if (ifindex_ == 0) throw std::runtime_error("no interface " + iface + " in this network namespace");
        object_ = bpf_object__open_file(XDPLB_XSK_RECEIVER_PROGRAM, nullptr);
        if (object_ == nullptr || bpf_object__load(object_) != 0) {
            bpf_object__close(object_);
            throw std::runtime_error(std::string("cannot load ") + XDPLB_XSK_RECEIVER_PROGRAM);
        }
        program_fd_ = bpf_program__fd(bpf_object__next_program(object_, nullptr));
        const int sockets_fd = bpf_object__find_map_fd_by_name(object_, "receiver_sockets");
        if (int rc = xsk_socket__update_xskmap(socket, sockets_fd); rc != 0) {
            bpf_object__close(object_);
            throw std::runtime_error(std::string("cannot register the AF_XDP socket: ") + std::strerror(-rc));
        }
        if (bpf_xdp_attach(ifindex_, program_fd_, XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, nullptr) != 0) {
            const int error = errno;
            bpf_object__close(object_);
            throw std::runtime_error("cannot attach the receiver's XDP program to " + iface + " (" + std::strerror(error) +
                                     "; does it have one already?)");
        }
    }
    ~ReceiverProgram() {
        LIBBPF_OPTS(bpf_xdp_attach_opts, only_ours, .old_prog_fd = program_fd_);
        bpf_xdp_detach(ifindex_, XDP_FLAGS_DRV_MODE | XDP_FLAGS_REPLACE, &only_ours);
        bpf_object__close(object_);
    }
    ReceiverProgram(const ReceiverProgram&) = delete;
    ReceiverProgram& operator=(const ReceiverProgram&) = delete;

private:
    int ifindex_ = 0;
    bpf_object* object_ = nullptr;
    int program_fd_ = -1;
};

// Hands `addresses` to the kernel to receive into.
void refill(XskPort& port, const std::vector<std::uint64_t>& addresses) {
    std::uint32_t index = 0;
    const auto count = static_cast<std::uint32_t>(addresses.size());
    while (xsk_ring_prod__reserve(&port.fill(), count, &index) != count) {
    }
    for (std::uint32_t i = 0; i < count; ++i) *xsk_ring_prod__fill_addr(&port.fill(), index + i) = addresses[i];
    xsk_ring_prod__submit(&port.fill(), count);
}

class RunAccount {
public:
    RunAccount(std::uint32_t run_id, ReceiveReport& report) : run_id_(run_id), report_(report) {}

    // Takes one frame, received at `now_ns`.
    void take(std::span<const std::uint8_t> frame, std::uint64_t now_ns) {
        const auto payload = udp_payload(frame);
        const auto probe = payload ? decode_probe(*payload) : std::nullopt;
        if (!probe || probe->run_id != run_id_ || probe->sequence >= kMaxRunFrames) {
            ++report_.foreign;
            return;
        }
        if (probe->kind == ProbeKind::end) {
            if (!report_.sent) {
                report_.sent = probe->sequence;
                drain_until_ = now_ns + kDrainNs;
            }
            return;
        }
        if (report_.sequences.record(probe->sequence) == Arrival::first) {
            report_.latency.record(now_ns > probe->send_ns ? now_ns - probe->send_ns : 0);
        }
    }

    bool drained(std::uint64_t now_ns) const { return report_.sent && now_ns >= drain_until_; }

private:
    std::uint32_t run_id_;
    ReceiveReport& report_;
    std::uint64_t drain_until_ = 0;
};

}  // namespace

ReceiveReport receive_frames(const ReceiveOptions& options, const std::atomic<bool>& stop) {
    XskPort port(options.iface, XskPort::Direction::receive);
    refill(port, port.frame_addresses());
    ReceiverProgram program(options.iface, port.socket());
    if (!options.ready_file.empty() && !std::ofstream(options.ready_file)) {
        throw std::runtime_error("cannot create " + options.ready_file);
    }

    ReceiveReport report;
    RunAccount account(options.run_id, report);
    const std::uint64_t deadline = monotonic_ns() + static_cast<std::uint64_t>(options.timeout_seconds * 1e9);
    std::uint64_t last_frame = monotonic_ns();
    SpinBudget budget;
    std::vector<std::uint64_t> taken;
    taken.reserve(kBatch);
    while (!stop.load(std::memory_order_relaxed)) {
        budget.turn(monotonic_ns());  // before the ring is read: a rest shows in the latencies it adds
        std::uint32_t index = 0;
        const std::uint32_t count = xsk_ring_cons__peek(&port.rx(), kBatch, &index);
        const std::uint64_t now = monotonic_ns();
        if (account.drained(now) || now >= deadline) break;
        if (count == 0) {
            if (now - last_frame > kIdleBeforeSleepNs) {
                pollfd readable{port.fd(), POLLIN, 0};
                poll(&readable, 1, kSleepMs);
                budget.rested();
            }
            continue;
        }
        last_frame = now;
        taken.clear();
        for (std::uint32_t i = 0; i < count; ++i) {
            const xdp_desc* descriptor = xsk_ring_cons__rx_desc(&port.rx(), index + i);
            account.take(port.frame(descriptor->addr, descriptor->len), now);
            taken.push_back(xsk_umem__extract_addr(descriptor->addr));
        }
        xsk_ring_cons__release(&port.rx(), count);
        refill(port, taken);
    }
    report.receiver_dropped = port.rx_dropped();
    return report;
}

}  // namespace xdplb::bench
