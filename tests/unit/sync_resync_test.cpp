// The bulk resync's rule: when a node may preempt, when it asks again, and
// when a lone node stops waiting.
#include "sync/resync.hpp"

#include <gtest/gtest.h>

namespace xdplb::sync {
namespace {

using namespace std::chrono_literals;

const SteadyClock::time_point t0{};

TEST(Resync, ShutUntilAsked) {
    Resync resync;
    EXPECT_EQ(resync.state(), SyncState::resyncing);
    EXPECT_FALSE(resync.may_preempt());
    EXPECT_FALSE(resync.give_up_if_quiet(t0 + 1h)) << "a node that never asked has not waited";
}

TEST(Resync, AsksAtOnceThenEveryRequestInterval) {
    Resync resync;
    resync.begin(t0);
    EXPECT_TRUE(resync.request_due(t0));
    EXPECT_FALSE(resync.request_due(t0 + kRequestInterval - 1ms));
    EXPECT_TRUE(resync.request_due(t0 + kRequestInterval));
    EXPECT_FALSE(resync.request_due(t0 + kRequestInterval + 1ms));
}

TEST(Resync, CompleteOpensTheGateAndStopsTheRequests) {
    Resync resync;
    resync.begin(t0);
    ASSERT_TRUE(resync.request_due(t0));
    resync.completed();
    EXPECT_EQ(resync.state(), SyncState::in_sync);
    EXPECT_TRUE(resync.may_preempt());
    EXPECT_FALSE(resync.request_due(t0 + 1h));
    EXPECT_FALSE(resync.give_up_if_quiet(t0 + 1h));
}

TEST(Resync, ALoneNodeGivesUpAfterTheQuietLimit) {
    Resync resync;
    resync.begin(t0);
    ASSERT_TRUE(resync.request_due(t0));
    EXPECT_FALSE(resync.give_up_if_quiet(t0 + kQuietLimit - 1ms));
    EXPECT_FALSE(resync.may_preempt());
    EXPECT_TRUE(resync.give_up_if_quiet(t0 + kQuietLimit));
    EXPECT_EQ(resync.state(), SyncState::alone);
    EXPECT_TRUE(resync.may_preempt());
}

TEST(Resync, APeerHeardKeepsTheWaitGoing) {
    Resync resync;
    resync.begin(t0);
    ASSERT_TRUE(resync.request_due(t0));
    resync.heard_from_peer(t0 + 1500ms);  // a share of a long bulk resync
    EXPECT_FALSE(resync.give_up_if_quiet(t0 + kQuietLimit));
    EXPECT_TRUE(resync.give_up_if_quiet(t0 + 1500ms + kQuietLimit));
}

TEST(Resync, BecomingMasterEndsTheWait) {
    Resync resync;
    resync.begin(t0);
    resync.became_master();
    EXPECT_EQ(resync.state(), SyncState::in_sync);
    EXPECT_FALSE(resync.request_due(t0));
}

TEST(Resync, BeginningAgainShutsTheGate) {
    Resync resync;
    resync.begin(t0);
    resync.completed();
    resync.begin(t0 + 1h);
    EXPECT_FALSE(resync.may_preempt());
    EXPECT_TRUE(resync.request_due(t0 + 1h));
}

}  // namespace
}  // namespace xdplb::sync
