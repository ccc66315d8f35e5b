// The trace command's streams (docs/trace.md): the data path traces while at
// least one client watches, and each event goes to the clients that asked
// for its farm. Runs on lbd's event loop; never blocks it.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/server.hpp"
#include "daemon/controller.hpp"
#include "daemon/trace_view.hpp"
#include "dataplane/program.hpp"
#include "dataplane/trace_events.hpp"

namespace xdplb::daemon {

class Tracer {
public:
    Tracer(boost::asio::io_context& io, dataplane::Program& program, const Controller& controller);
    Tracer(const Tracer&) = delete;
    Tracer& operator=(const Tracer&) = delete;

    // The trace request: refused with an error line, or `stream` gets events
    // until the client leaves or the request's count or duration is reached.
    api::StreamAnswer start(const api::Request& request, std::shared_ptr<api::Stream> stream);

private:
    struct Watcher {
        std::shared_ptr<api::Stream> stream;
        std::optional<std::uint32_t> farm_id;
        std::optional<std::uint64_t> events_left;
        std::unique_ptr<boost::asio::steady_timer> deadline;
    };
    using Watchers = std::list<Watcher>;

    void stop_watching(Watchers::iterator watcher);
    void switch_data_path();
    void wait_for_events();
    void take_events();
    void send(const xdplb_trace_event& event);

    boost::asio::io_context& io_;
    const Controller& controller_;
    dataplane::TraceEvents events_;
    boost::asio::posix::stream_descriptor ready_;
    bool waiting_ = false;
    Watchers watchers_;
    TraceNames names_;  // of the configuration when the events being taken were read
    std::chrono::system_clock::time_point monotonic_zero_;
    std::uint64_t lost_reported_ = 0;  // of events_.lost()
};

}  // namespace xdplb::daemon
