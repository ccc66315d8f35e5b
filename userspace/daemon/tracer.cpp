#include "daemon/tracer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>

#include "model/validation_error.hpp"

namespace xdplb::daemon {

namespace {

// Events taken in one turn of the event loop, between which API clients are served.
constexpr std::size_t kEventsPerTurn = 1024;

// The wall-clock time at which the events' clock (CLOCK_MONOTONIC, as
// std::chrono::steady_clock on Linux) read 0.
std::chrono::system_clock::time_point monotonic_zero() {
    return std::chrono::system_clock::now() - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                                  std::chrono::steady_clock::now().time_since_epoch());
}

// The descriptor belongs to libbpf's ring buffer: asio gets its own copy to close.
int duplicate(int fd) {
    int copy = ::dup(fd);
    if (copy < 0) throw std::runtime_error(std::string("cannot watch the trace ring buffer: ") + std::strerror(errno));
    return copy;
}

}  // namespace

Tracer::Tracer(boost::asio::io_context& io, dataplane::Program& program, const Controller& controller)
    : io_(io),
      controller_(controller),
      events_(program, [this](const xdplb_trace_event& event) { send(event); }),
      ready_(io, duplicate(events_.ready_fd())) {}

api::StreamAnswer Tracer::start(const api::Request& request, std::shared_ptr<api::Stream> stream) {
    TraceRequest asked;
    try {
        asked = trace_request_of(request.args, controller_.config());
    } catch (const model::ValidationError& error) {
        return {api::encode_error(error.what()), false};
    }
    if (watchers_.empty()) {
        // What an earlier trace left in the ring, and lost, is nobody's now.
        while (events_.consume(kEventsPerTurn) == kEventsPerTurn) continue;
        lost_reported_ = events_.lost();
    }
    auto watcher = watchers_.insert(watchers_.end(), Watcher{stream, asked.farm_id, asked.count, nullptr});
    stream->on_close([this, watcher] { stop_watching(watcher); });
    if (asked.duration) {
        watcher->deadline = std::make_unique<boost::asio::steady_timer>(io_, *asked.duration);
        watcher->deadline->async_wait([stream](const boost::system::error_code& error) {
            if (!error) stream->finish();
        });
    }
    switch_data_path();
    wait_for_events();
    spdlog::info("trace: a client watches ({} in all)", watchers_.size());
    return {api::encode_success({{"tracing", true}}), true};
}

void Tracer::stop_watching(Watchers::iterator watcher) {
    watchers_.erase(watcher);
    switch_data_path();
    spdlog::info("trace: a client left ({} still watch)", watchers_.size());
}

// Filtered in the data path when every watcher asks for the same farm, so
// that a busy balancer does not fill the ring with what nobody reads.
void Tracer::switch_data_path() {
    if (watchers_.empty()) {
        events_.stop();
        return;
    }
    const std::optional<std::uint32_t> first = watchers_.front().farm_id;
    const bool one_farm = first.has_value() && std::all_of(watchers_.begin(), watchers_.end(), [&](const Watcher& watcher) {
                              return watcher.farm_id == first;
                          });
    events_.start(one_farm ? *first : 0);
}

void Tracer::wait_for_events() {
    if (waiting_) return;
    waiting_ = true;
    ready_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& error) {
        waiting_ = false;
        if (error) return;
        take_events();
        // Once the last watcher has gone, what is left in the ring waits for the next one.
        if (!watchers_.empty()) wait_for_events();
    });
}

void Tracer::take_events() {
    names_ = trace_names_of(controller_.config());
    monotonic_zero_ = monotonic_zero();
    events_.consume(kEventsPerTurn);
    const std::uint64_t lost = events_.lost();
    if (lost == lost_reported_) return;
    const std::string notice = api::encode_lost_notice(lost - lost_reported_);
    lost_reported_ = lost;
    for (Watcher& watcher : watchers_) watcher.stream->send(notice);
}

void Tracer::send(const xdplb_trace_event& event) {
    std::string line;
    for (Watcher& watcher : watchers_) {
        if (watcher.farm_id && *watcher.farm_id != event.farm_id) continue;
        if (watcher.events_left && *watcher.events_left == 0) continue;  // finishing
        if (line.empty()) {
            line = nlohmann::json{{"event", trace_event_view(event, names_, monotonic_zero_)}}.dump() + "\n";
        }
        watcher.stream->send(line);
        if (watcher.events_left && --*watcher.events_left == 0) watcher.stream->finish();
    }
}

}  // namespace xdplb::daemon
