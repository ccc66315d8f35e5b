#include "daemon/upkeep.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace xdplb::daemon {

Upkeep::Upkeep(boost::asio::io_context& io, const dataplane::Program& program, const dataplane::Settings& settings)
    : io_(io), timer_(io), walker_(program, settings) {}

using Clock = std::chrono::steady_clock;

void Upkeep::start() { wait_until(Clock::now() + kUpkeepInterval); }

void Upkeep::wait_until(Clock::time_point next_walk) {
    timer_.expires_at(next_walk);
    timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error) begin_walk();
    });
}

void Upkeep::begin_walk() {
    walk_started_ = Clock::now();
    try {
        walker_.begin();
    } catch (const dataplane::DataPlaneError& error) {
        spdlog::error("connection table upkeep: {}", error.what());
        wait_until(Clock::now() + kUpkeepInterval);
        return;
    }
    continue_walk();
}

// A failed walk leaves the counts as they were and is tried again at the next
// interval: the data path goes on meanwhile.
void Upkeep::continue_walk() {
    bool done = false;
    try {
        done = walker_.step(kUpkeepChunk);
    } catch (const dataplane::DataPlaneError& error) {
        spdlog::error("connection table upkeep: {}", error.what());
        wait_until(Clock::now() + kUpkeepInterval);
        return;
    }
    if (!done) {
        boost::asio::post(io_, [this] { continue_walk(); });
        return;
    }
    const dataplane::WalkSummary& walk = walker_.last_walk();
    const Clock::time_point now = Clock::now();
    const Clock::duration took = now - walk_started_;
    spdlog::debug("connection table upkeep: {} entries, {} live connections, {} stale entries deleted, {} ms",
                  walk.entries, walk.live_connections, walk.stale_deleted,
                  std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
    // Walks start kUpkeepInterval apart, unless the last one was long.
    wait_until(std::max(walk_started_ + kUpkeepInterval, now + took * kUpkeepIdleFactor));
}

}  // namespace xdplb::daemon
