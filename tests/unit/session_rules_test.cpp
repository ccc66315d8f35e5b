// The data path's timeout rules as lbd applies them, and the recount of each
// backend's live connections that backend_load gets every second.
#include "dataplane/session_table.hpp"

#include <netinet/in.h>

#include <gtest/gtest.h>

namespace xdplb::dataplane {
namespace {

constexpr std::uint64_t kSecond = 1'000'000'000;
constexpr TableKind kEstablished = TableKind::established;
constexpr std::uint64_t kNow = 10'000 * kSecond;

Settings sample_timeouts() {
    Settings timeouts;
    timeouts.unanswered_timeout_s = 30;
    timeouts.tcp_timeout_s = 7200;
    timeouts.tcp_time_wait_timeout_s = 120;
    timeouts.tcp_close_timeout_s = 10;
    timeouts.udp_timeout_s = 300;
    return timeouts;
}

const Settings kTimeouts = sample_timeouts();
const Settings kNoTimeouts = [] {
    Settings timeouts = sample_timeouts();
    timeouts.tcp_timeout_s = timeouts.tcp_close_timeout_s = 0;
    return timeouts;
}();

xdplb_flow flow(std::uint8_t closing, bool replied, std::uint64_t idle_s,
                std::uint8_t direction = XDPLB_DIR_TO_BACKEND, std::uint32_t backend_id = 1) {
    xdplb_flow value{};
    value.closing = closing;
    value.replied = replied ? 1 : 0;
    value.direction = direction;
    value.backend_id = backend_id;
    value.last_seen_ns = kNow - idle_s * kSecond;
    return value;
}

FlowEntry entry(const xdplb_flow& value, std::uint8_t proto = IPPROTO_TCP) {
    FlowEntry result{};
    result.key.proto = proto;
    result.value = value;
    return result;
}

TEST(SessionRules, EachStateHasItsTimeout) {
    EXPECT_EQ(timeout_s(flow(XDPLB_OPEN, false, 0), IPPROTO_TCP, kEstablished, kTimeouts), 30u);
    EXPECT_EQ(timeout_s(flow(XDPLB_OPEN, false, 0), IPPROTO_UDP, kEstablished, kTimeouts), 30u);
    EXPECT_EQ(timeout_s(flow(XDPLB_OPEN, true, 0), IPPROTO_TCP, kEstablished, kTimeouts), 7200u);
    EXPECT_EQ(timeout_s(flow(XDPLB_OPEN, true, 0), IPPROTO_UDP, kEstablished, kTimeouts), 300u);
    EXPECT_EQ(timeout_s(flow(XDPLB_FIN_FROM_CLIENT, true, 0), IPPROTO_TCP, kEstablished, kTimeouts), 10u);
    EXPECT_EQ(timeout_s(flow(XDPLB_RESET, false, 0), IPPROTO_TCP, kEstablished, kTimeouts), 10u);
    EXPECT_EQ(timeout_s(flow(XDPLB_FIN_FROM_BACKEND, true, 0), IPPROTO_TCP, kEstablished, kTimeouts), 120u);
}

// Until its client confirms it, a connection is held as briefly as an
// unanswered one, whether or not its backend answered.
TEST(SessionRules, HalfOpenEntriesLiveByTheUnansweredTimeout) {
    EXPECT_EQ(timeout_s(flow(XDPLB_OPEN, true, 0), IPPROTO_TCP, TableKind::half_open, kTimeouts), 30u);
    EXPECT_TRUE(is_stale(flow(XDPLB_OPEN, true, 30), IPPROTO_UDP, TableKind::half_open, kNow, kTimeouts));
    EXPECT_EQ(timeout_s(flow(XDPLB_FIN_FROM_BACKEND, true, 0), IPPROTO_TCP, TableKind::half_open, kTimeouts), 120u);
}

TEST(SessionRules, AFarmsOwnTimeoutsReplaceLbdsDefaults) {
    xdplb_timeouts own{};
    own.tcp_s = 600;
    own.udp_s = 20;
    const Settings resolved = with_farm_timeouts(kTimeouts, own);
    EXPECT_EQ(resolved.tcp_timeout_s, 600u);
    EXPECT_EQ(resolved.udp_timeout_s, 20u);
    EXPECT_EQ(resolved.unanswered_timeout_s, 30u);
    EXPECT_EQ(resolved.tcp_time_wait_timeout_s, 120u);
    EXPECT_EQ(resolved.tcp_close_timeout_s, 10u);
}

TEST(SessionRules, StaleOnceIdleForItsWholeTimeout) {
    EXPECT_FALSE(is_stale(flow(XDPLB_OPEN, true, 7199), IPPROTO_TCP, kEstablished, kNow, kTimeouts));
    EXPECT_TRUE(is_stale(flow(XDPLB_OPEN, true, 7200), IPPROTO_TCP, kEstablished, kNow, kTimeouts));
    EXPECT_FALSE(is_stale(flow(XDPLB_OPEN, false, 29), IPPROTO_UDP, kEstablished, kNow, kTimeouts));
    EXPECT_TRUE(is_stale(flow(XDPLB_OPEN, false, 30), IPPROTO_UDP, kEstablished, kNow, kTimeouts));
    EXPECT_TRUE(is_stale(flow(XDPLB_RESET, true, 10), IPPROTO_TCP, kEstablished, kNow, kTimeouts));
    EXPECT_FALSE(is_stale(flow(XDPLB_FIN_FROM_BACKEND, true, 119), IPPROTO_TCP, kEstablished, kNow, kTimeouts));
}

TEST(SessionRules, ClockAheadOfNowIsFresh) {
    xdplb_flow refreshed = flow(XDPLB_RESET, true, 0);
    refreshed.last_seen_ns = kNow + kSecond;
    EXPECT_FALSE(is_stale(refreshed, IPPROTO_TCP, kEstablished, kNow, kNoTimeouts));
    EXPECT_EQ(idle_seconds(refreshed.last_seen_ns, kNow), 0u);
}

TEST(SessionRules, ZeroTimeoutMakesEveryIdleEntryStale) {
    EXPECT_TRUE(is_stale(flow(XDPLB_OPEN, true, 0), IPPROTO_TCP, kEstablished, kNow, kNoTimeouts));
}

TEST(SessionRules, IdleSecondsRoundDown) {
    EXPECT_EQ(idle_seconds(kNow - 2 * kSecond - kSecond / 2, kNow), 2u);
}

TEST(SessionRules, StateNames) {
    EXPECT_EQ(state_name(flow(XDPLB_OPEN, false, 0), kEstablished), "unanswered");
    EXPECT_EQ(state_name(flow(XDPLB_OPEN, true, 0), kEstablished), "open");
    EXPECT_EQ(state_name(flow(XDPLB_FIN_FROM_CLIENT, true, 0), kEstablished), "closing-by-client");
    EXPECT_EQ(state_name(flow(XDPLB_FIN_FROM_BACKEND, true, 0), kEstablished), "closing-by-backend");
    EXPECT_EQ(state_name(flow(XDPLB_RESET, false, 0), kEstablished), "reset");
    EXPECT_EQ(state_name(flow(XDPLB_OPEN, true, 0), TableKind::half_open), "half-open");
    EXPECT_EQ(state_name(flow(XDPLB_OPEN, false, 0), TableKind::half_open), "unanswered");
}

TEST(SessionRules, TheEntryTowardTheBackendStandsForTheConnection) {
    EXPECT_TRUE(leads_to_backend(flow(XDPLB_OPEN, true, 0, XDPLB_DIR_TO_BACKEND)));
    EXPECT_TRUE(leads_to_backend(flow(XDPLB_OPEN, true, 0, XDPLB_DIR_DSR)));
    EXPECT_FALSE(leads_to_backend(flow(XDPLB_OPEN, true, 0, XDPLB_DIR_TO_CLIENT)));
}

TEST(BackendCensus, CountsLiveConnectionsOncePerBackend) {
    BackendCensus census;
    EXPECT_FALSE(census.judge(entry(flow(XDPLB_OPEN, true, 5, XDPLB_DIR_TO_BACKEND, 7)), kEstablished, kNow, kTimeouts));
    EXPECT_FALSE(census.judge(entry(flow(XDPLB_OPEN, true, 5, XDPLB_DIR_TO_CLIENT, 7)), kEstablished, kNow, kTimeouts));
    EXPECT_FALSE(census.judge(entry(flow(XDPLB_OPEN, false, 1, XDPLB_DIR_TO_BACKEND, 7), IPPROTO_UDP), kEstablished, kNow, kTimeouts));
    EXPECT_FALSE(census.judge(entry(flow(XDPLB_OPEN, true, 5, XDPLB_DIR_DSR, 8)), kEstablished, kNow, kTimeouts));
    EXPECT_EQ(census.connections_of(7), 2u);
    EXPECT_EQ(census.connections_of(8), 1u);
    EXPECT_EQ(census.connections_of(9), 0u);
}

TEST(BackendCensus, HalfOpenConnectionsAreNotCounted) {
    BackendCensus census;
    EXPECT_FALSE(census.judge(entry(flow(XDPLB_OPEN, true, 5, XDPLB_DIR_TO_BACKEND, 7)), TableKind::half_open, kNow,
                              kTimeouts));
    EXPECT_EQ(census.connections_of(7), 0u);
}

TEST(BackendCensus, StaleEntriesAreNotCounted) {
    BackendCensus census;
    EXPECT_TRUE(census.judge(entry(flow(XDPLB_RESET, true, 10)), kEstablished, kNow, kTimeouts));
    EXPECT_TRUE(census.judge(entry(flow(XDPLB_OPEN, false, 30), IPPROTO_UDP), kEstablished, kNow, kTimeouts));
    EXPECT_TRUE(census.judge(entry(flow(XDPLB_OPEN, true, 300), IPPROTO_UDP), kEstablished, kNow, kTimeouts));
    EXPECT_EQ(census.connections_of(1), 0u);
}

TEST(BackendCensus, ClosingConnectionsCountUntilStale) {
    BackendCensus census;
    EXPECT_FALSE(census.judge(entry(flow(XDPLB_FIN_FROM_BACKEND, true, 60)), kEstablished, kNow, kTimeouts));
    EXPECT_FALSE(census.judge(entry(flow(XDPLB_FIN_FROM_CLIENT, true, 9)), kEstablished, kNow, kTimeouts));
    EXPECT_EQ(census.connections_of(1), 2u);
}

TEST(BackendCensus, BackendIdsOutsideTheTableAreIgnored) {
    BackendCensus census;
    EXPECT_FALSE(census.judge(entry(flow(XDPLB_OPEN, true, 0, XDPLB_DIR_TO_BACKEND, XDPLB_MAX_BACKENDS)), kEstablished, kNow,
                              kTimeouts));
    EXPECT_EQ(census.connections_of(XDPLB_MAX_BACKENDS), 0u);
}

TEST(BackendLoad, CensusPlusWhatTheDataPathAddedDuringTheWalk) {
    EXPECT_EQ(load_to_write(5, 40, 40), 5u);   // 35 connections ended since the last walk
    EXPECT_EQ(load_to_write(5, 40, 43), 8u);   // 3 opened while the walk ran
    EXPECT_EQ(load_to_write(5, 40, 0), 5u);    // rewritten meanwhile: nothing was added
    EXPECT_EQ(load_to_write(0, 0, 0), 0u);
}

}  // namespace
}  // namespace xdplb::dataplane
