// lbd's periodic upkeep of the connection tables: every kUpkeepInterval one
// walk (dataplane::ConnectionUpkeep) recounts each backend's live connections
// and deletes stale entries. The walk runs on the event loop a chunk at a
// time, so that API requests are served between chunks.
#pragma once

#include <chrono>
#include <cstdint>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dataplane/session_table.hpp"

namespace xdplb::daemon {

// backend_load is how an ended connection leaves its backend's count, which
// --maxconn caps: a second is as long as an ended connection may keep a slot.
// Walking more often gains nothing: the data path refreshes an entry's clock
// at most once a second.
inline constexpr std::chrono::seconds kUpkeepInterval{1};
// A walk of a large table takes long (about a second of CPU for a full
// million entries on a loaded 2-core machine: docs/sessions.md); the next one
// then waits until upkeep has taken at most a tenth of lbd's time, so the
// interval stretches only for tables that large.
inline constexpr int kUpkeepIdleFactor = 9;
// Entries per turn of the event loop: a few milliseconds of work, so that an
// API request waits for no longer than that.
inline constexpr std::uint32_t kUpkeepChunk = 4096;

class Upkeep {
public:
    Upkeep(boost::asio::io_context& io, const dataplane::Program& program, const dataplane::Settings& settings);
    Upkeep(const Upkeep&) = delete;
    Upkeep& operator=(const Upkeep&) = delete;

    // Schedules the first walk; the walks go on while the event loop runs.
    void start();

    // The last finished walk, and what it counted per backend.
    const dataplane::WalkSummary& last_walk() const { return walker_.last_walk(); }
    const dataplane::BackendCensus& last_census() const { return walker_.last_census(); }
    // Told of every live entry of each walk: connection-state sync.
    void set_listener(dataplane::WalkListener* listener) { walker_.set_listener(listener); }

private:
    void wait_until(std::chrono::steady_clock::time_point next_walk);
    void begin_walk();
    void continue_walk();

    boost::asio::io_context& io_;
    boost::asio::steady_timer timer_;
    dataplane::ConnectionUpkeep walker_;
    std::chrono::steady_clock::time_point walk_started_;
};

}  // namespace xdplb::daemon
