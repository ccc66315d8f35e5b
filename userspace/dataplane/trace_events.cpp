#include "dataplane/trace_events.hpp"

#include <bpf/libbpf.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

namespace xdplb::dataplane {

TraceEvents::TraceEvents(Program& program, Handler handler)
    : control_(program.trace_control()), handler_(std::move(handler)) {
    ring_ = ring_buffer__new(program.map_fd("trace_events"), &TraceEvents::on_event, this, nullptr);
    if (ring_ == nullptr) {
        throw DataPlaneError(std::string("cannot read the trace ring buffer: ") + std::strerror(errno));
    }
}

TraceEvents::~TraceEvents() {
    stop();
    ring_buffer__free(ring_);
}

// The data path reads the farm only once `enabled` is set: written in that order.
void TraceEvents::start(std::uint32_t farm_id) {
    std::atomic_ref<__u32>(control_.farm_id).store(farm_id);
    std::atomic_ref<__u32>(control_.enabled).store(1);
}

void TraceEvents::stop() { std::atomic_ref<__u32>(control_.enabled).store(0); }

bool TraceEvents::started() const { return std::atomic_ref<__u32>(control_.enabled).load() != 0; }

int TraceEvents::ready_fd() const { return ring_buffer__epoll_fd(ring_); }

std::size_t TraceEvents::consume(std::size_t at_most) {
    if (at_most == 0) return 0;
    budget_ = at_most;
    ring_buffer__consume(ring_);
    return at_most - budget_;
}

std::uint64_t TraceEvents::lost() const { return std::atomic_ref<__u64>(control_.lost_events).load(); }

// libbpf stops consuming at a negative answer; the event is taken either way.
int TraceEvents::on_event(void* self, void* data, std::size_t size) {
    auto* events = static_cast<TraceEvents*>(self);
    if (size >= sizeof(xdplb_trace_event)) {
        xdplb_trace_event event;
        std::memcpy(&event, data, sizeof(event));
        events->handler_(event);
    }
    return --events->budget_ == 0 ? -EAGAIN : 0;
}

}  // namespace xdplb::dataplane
