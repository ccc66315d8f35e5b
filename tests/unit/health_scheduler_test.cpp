// The scheduler runs each backend's check once an interval on the event
// loop, starts afresh when a check changes, and drops what a stopped check says.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "event_loop.hpp"
#include "health/scheduler.hpp"

namespace xdplb::health {
namespace {

using namespace std::chrono_literals;

model::HealthCheck every(std::chrono::milliseconds interval, std::uint16_t port = 80) {
    model::HealthCheck check;
    check.type = model::CheckType::tcp;
    check.address = *IpAddress::parse("198.18.1.11");
    check.port = port;
    check.interval = interval;
    check.timeout = interval / 2;
    return check;
}

struct Recorder {
    std::map<std::uint32_t, int> results;  // by backend id
    std::vector<CheckDone> pending;        // checks the stand-in has not answered yet
};

// A stand-in for run_check: answers healthy at once, or keeps the answer for the test to give.
Scheduler::Runner stand_in(Recorder& recorder, bool answer_at_once) {
    return [&recorder, answer_at_once](boost::asio::io_context&, const model::HealthCheck&, CheckDone done) {
        if (answer_at_once) return done({true, "stand-in"});
        recorder.pending.push_back(std::move(done));
    };
}

Scheduler::OnResult recording(Recorder& recorder) {
    return [&recorder](std::uint32_t id, const CheckResult&, std::chrono::nanoseconds) { ++recorder.results[id]; };
}

TEST(Scheduler, ChecksEachBackendOnceAnInterval) {
    boost::asio::io_context io;
    Recorder recorder;
    Scheduler scheduler(io, recording(recorder), stand_in(recorder, true));
    scheduler.set_checks({{1, every(100ms)}, {2, every(200ms)}, {3, model::HealthCheck{}}});
    testing::run_loop_for(io, 1050ms);
    // The first check comes within the first interval, then one per interval (up to 5 % early):
    // never more often; less often only on a machine too busy to run the loop in time.
    EXPECT_LE(recorder.results[1], 12);
    EXPECT_GE(recorder.results[1], 5);
    EXPECT_LE(recorder.results[2], 6);
    EXPECT_GE(recorder.results[2], 2);
    EXPECT_FALSE(recorder.results.contains(3)) << "type none is not run";
}

TEST(Scheduler, StopsTheChecksThatAreGoneAndDropsTheirLateResults) {
    boost::asio::io_context io;
    Recorder recorder;
    Scheduler scheduler(io, recording(recorder), stand_in(recorder, false));
    scheduler.set_checks({{1, every(100ms)}});
    testing::run_loop_for(io, 150ms);
    ASSERT_EQ(recorder.pending.size(), 1U) << "one check at a time per backend";
    scheduler.set_checks({});
    recorder.pending.front()({true, "late"});
    testing::run_loop_for(io, 300ms);
    EXPECT_TRUE(recorder.results.empty());
    EXPECT_EQ(recorder.pending.size(), 1U) << "no check after it stopped";
}

TEST(Scheduler, AnUnchangedCheckGoesOnAndAChangedOneStartsAfresh) {
    boost::asio::io_context io;
    Recorder recorder;
    Scheduler scheduler(io, recording(recorder), stand_in(recorder, false));
    scheduler.set_checks({{1, every(100ms)}, {2, every(100ms)}});
    testing::run_loop_for(io, 150ms);
    ASSERT_EQ(recorder.pending.size(), 2U);
    scheduler.set_checks({{1, every(100ms)}, {2, every(100ms, 8080)}});
    for (CheckDone& done : recorder.pending) done({true, "answer"});
    EXPECT_EQ(recorder.results[1], 1) << "unchanged: its result counts";
    EXPECT_FALSE(recorder.results.contains(2)) << "changed: the old check's result is dropped";
}

}  // namespace
}  // namespace xdplb::health
