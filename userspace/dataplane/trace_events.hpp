// The data path's trace (bpf/lib/trace.h, docs/trace.md): switching it on and
// off, and taking its events from the ring buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

#include <xdplb/abi.h>

#include "dataplane/program.hpp"

struct ring_buffer;

namespace xdplb::dataplane {

class TraceEvents {
public:
    using Handler = std::function<void(const xdplb_trace_event&)>;

    // Events go to `handler` from consume(). Throws DataPlaneError.
    TraceEvents(Program& program, Handler handler);
    ~TraceEvents();
    TraceEvents(const TraceEvents&) = delete;
    TraceEvents& operator=(const TraceEvents&) = delete;

    // Every packet when farm_id is 0 (those of no farm too), else only farm_id's.
    void start(std::uint32_t farm_id);
    // Packets leave no event any more; those already in the ring stay to consume.
    void stop();
    bool started() const;

    // Readable when the ring holds events: for the caller's event loop.
    int ready_fd() const;
    // Hands the events waiting in the ring to the handler, at most `at_most`
    // of them: a reader on an event loop must leave the loop to its other work
    // while the data path keeps writing. Returns how many.
    std::size_t consume(std::size_t at_most);
    // Events the data path could not send because the ring was full, since load.
    std::uint64_t lost() const;

private:
    static int on_event(void* self, void* data, std::size_t size);

    xdplb_trace_control& control_;
    Handler handler_;
    std::size_t budget_ = 0;  // of the consume() under way
    ::ring_buffer* ring_ = nullptr;
};

}  // namespace xdplb::dataplane
