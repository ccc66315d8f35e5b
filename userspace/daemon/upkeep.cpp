#include "daemon/upkeep.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace xdplb::daemon {

Upkeep::Upkeep(boost::asio::io_context& io, const dataplane::Program& program, const dataplane::Settings& settings)
    : io_(io), timer_(io), walker_(program, settings) {}

void Upkeep::start() {
    walk_started_ = std::chrono::steady_clock::now();
    wait_for_next_walk();
}

// Walks start kUpkeepInterval apart; one that took longer is followed at once.
void Upkeep::wait_for_next_walk() {
    timer_.expires_at(walk_started_ + kUpkeepInterval);
    timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error) begin_walk();
    });
}

void Upkeep::begin_walk() {
    walk_started_ = std::chrono::steady_clock::now();
    try {
        walker_.begin();
    } catch (const dataplane::DataPlaneError& error) {
        spdlog::error("connection table upkeep: {}", error.what());
        wait_for_next_walk();
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
        wait_for_next_walk();
        return;
    }
    if (!done) {
        boost::asio::post(io_, [this] { continue_walk(); });
        return;
    }
    const dataplane::WalkSummary& walk = walker_.last_walk();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                           walk_started_);
    spdlog::debug("connection table upkeep: {} entries, {} live connections, {} stale entries deleted, {} ms",
                  walk.entries, walk.live_connections, walk.stale_deleted, took.count());
    wait_for_next_walk();
}

}  // namespace xdplb::daemon
