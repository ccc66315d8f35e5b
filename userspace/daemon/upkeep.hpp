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
// at most once a second. A walk of a full million-entry table costs about a
// tenth of a second of one core (docs/sessions.md).
inline constexpr std::chrono::seconds kUpkeepInterval{1};
// Entries per turn of the event loop: a few milliseconds of work, so that an
// API request waits for no longer than that.
inline constexpr std::uint32_t kUpkeepChunk = 16384;

class Upkeep {
public:
    Upkeep(boost::asio::io_context& io, const dataplane::Program& program, const dataplane::Settings& settings);
    Upkeep(const Upkeep&) = delete;
    Upkeep& operator=(const Upkeep&) = delete;

    // Schedules the first walk; the walks go on while the event loop runs.
    void start();

private:
    void wait_for_next_walk();
    void begin_walk();
    void continue_walk();

    boost::asio::io_context& io_;
    boost::asio::steady_timer timer_;
    dataplane::ConnectionUpkeep walker_;
    std::chrono::steady_clock::time_point walk_started_;
};

}  // namespace xdplb::daemon
