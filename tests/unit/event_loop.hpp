// Runs a test's event loop for a while, or until the test stops it, with
// io.run() and a timer: in these tests run_for() and run_one_for() ran
// timer handlers hundreds of milliseconds late.
#pragma once

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace xdplb::testing {

inline void run_loop_for(boost::asio::io_context& io, std::chrono::milliseconds duration) {
    boost::asio::steady_timer stop(io, duration);
    stop.async_wait([&io](const boost::system::error_code& error) {
        if (!error) io.stop();
    });
    io.restart();
    io.run();
}

}  // namespace xdplb::testing
