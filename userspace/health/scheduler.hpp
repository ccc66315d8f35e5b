// Runs every backend's checks on the event loop, one at a time per backend:
// the first at a random point of its first interval, so that many backends
// are not all checked at once, then one interval (less up to 5 %, which
// keeps them spread) after the start of the last. A check never waits for
// another, and none blocks the loop: each is an asynchronous operation.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "health/check_operation.hpp"
#include "model/health_check.hpp"

namespace xdplb::health {

class Scheduler {
public:
    // Each result, with how long its check took.
    using OnResult = std::function<void(std::uint32_t backend_id, const CheckResult& result,
                                        std::chrono::nanoseconds took)>;
    using Runner = std::function<void(boost::asio::io_context&, const model::HealthCheck&, CheckDone)>;

    // `run` runs one check: run_check, or a stand-in in tests.
    Scheduler(boost::asio::io_context& io, OnResult on_result, Runner run);
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // The checks to run, by backend id (type none is not run): a new or
    // changed check starts afresh, an unchanged one goes on, the others stop;
    // the result of a stopped check that is still running is dropped.
    void set_checks(const std::map<std::uint32_t, model::HealthCheck>& checks);

private:
    struct Entry;
    void start_check(const std::shared_ptr<Entry>& entry);

    boost::asio::io_context& io_;
    OnResult on_result_;
    Runner run_;
    std::map<std::uint32_t, std::shared_ptr<Entry>> entries_;
    std::mt19937_64 random_;
};

}  // namespace xdplb::health
