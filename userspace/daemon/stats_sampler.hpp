// lbd's sampling of the data plane's counters for `lbctl stats`: once a
// second on the event loop, one per-CPU lookup per farm, backend and reason,
// kept in a CounterHistory for the rates. Nothing is added to the data path.
#pragma once

#include <chrono>
#include <cstdint>
#include <unordered_set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/controller.hpp"
#include "daemon/counter_history.hpp"
#include "dataplane/counters.hpp"
#include "model/farm.hpp"

namespace xdplb::daemon {

inline constexpr std::chrono::seconds kSampleInterval{1};

// The counters of every farm and backend of `config` and every reason, now.
CounterSample read_counters(const dataplane::CountersReader& counters, const model::Config& config);

class StatsSampler {
public:
    StatsSampler(boost::asio::io_context& io, const dataplane::CountersReader& counters, Controller& controller);
    StatsSampler(const StatsSampler&) = delete;
    StatsSampler& operator=(const StatsSampler&) = delete;

    // Takes the first sample now and one every kSampleInterval while the event loop runs.
    void start();

    const CounterHistory& history() const { return history_; }

private:
    struct Ids {
        std::unordered_set<std::uint32_t> farms;
        std::unordered_set<std::uint32_t> backends;
    };
    static Ids ids_of(const model::Config& config);

    void sample();
    void wait();
    void follow(const model::Config& config);

    const dataplane::CountersReader& counters_;
    Controller& controller_;
    boost::asio::steady_timer timer_;
    CounterHistory history_;
    Ids followed_;  // the ids of the configuration as of the last change seen
};

}  // namespace xdplb::daemon
