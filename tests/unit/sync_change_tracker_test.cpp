#include <gtest/gtest.h>

#include "sync/change_tracker.hpp"

namespace xdplb::sync {
namespace {

constexpr std::uint64_t kSecond = 1'000'000'000;

xdplb_flow_key key(std::uint16_t port) {
    xdplb_flow_key k{};
    k.sport = port;
    k.proto = 6;
    k.family = 2;
    return k;
}

TrackedFlow flow(std::uint64_t last_seen, std::uint8_t closing = XDPLB_OPEN) {
    TrackedFlow tracked;
    tracked.flow.backend_id = 3;
    tracked.flow.farm_id = 1;
    tracked.flow.last_seen_ns = last_seen;
    tracked.flow.closing = closing;
    return tracked;
}

TEST(ChangeTracker, SendsNewEntriesOnce) {
    ConnectionTracker tracker;
    EXPECT_TRUE(tracker.saw(key(1), flow(kSecond), 10 * kSecond));
    EXPECT_TRUE(tracker.finish_walk().empty());
    EXPECT_FALSE(tracker.saw(key(1), flow(2 * kSecond), 10 * kSecond));  // only its clock moved
    EXPECT_TRUE(tracker.finish_walk().empty());
}

TEST(ChangeTracker, SendsWhatAPeerKeepsWhenItChanges) {
    ConnectionTracker tracker;
    tracker.saw(key(1), flow(kSecond), 10 * kSecond);
    tracker.finish_walk();
    EXPECT_TRUE(tracker.saw(key(1), flow(kSecond, XDPLB_FIN_FROM_CLIENT), 10 * kSecond));
    TrackedFlow confirmed = flow(kSecond, XDPLB_FIN_FROM_CLIENT);
    confirmed.table = dataplane::TableKind::half_open;
    EXPECT_TRUE(tracker.saw(key(1), confirmed, 10 * kSecond));
    EXPECT_FALSE(tracker.saw(key(1), confirmed, 10 * kSecond));
}

TEST(ChangeTracker, RefreshesAPeersClockWhileTheConnectionLives) {
    ConnectionTracker tracker;
    tracker.saw(key(1), flow(kSecond), 10 * kSecond);
    EXPECT_FALSE(tracker.saw(key(1), flow(10 * kSecond), 10 * kSecond));
    EXPECT_TRUE(tracker.saw(key(1), flow(11 * kSecond), 10 * kSecond));
    // Counted from the last time sent, not the last time seen.
    EXPECT_FALSE(tracker.saw(key(1), flow(20 * kSecond), 10 * kSecond));
    EXPECT_TRUE(tracker.saw(key(1), flow(21 * kSecond), 10 * kSecond));
}

TEST(ChangeTracker, EndsWhatAWalkNoLongerFinds) {
    ConnectionTracker tracker;
    tracker.saw(key(1), flow(kSecond), 10 * kSecond);
    tracker.saw(key(2), flow(kSecond), 10 * kSecond);
    tracker.finish_walk();
    tracker.saw(key(2), flow(kSecond), 10 * kSecond);
    auto gone = tracker.finish_walk();
    ASSERT_EQ(gone.size(), 1u);
    EXPECT_EQ(gone[0].sport, 1);
    EXPECT_EQ(tracker.size(), 1u);
    EXPECT_TRUE(tracker.saw(key(1), flow(kSecond), 10 * kSecond));  // back: new again
}

TEST(ChangeTracker, ListsEverythingForABulkResync) {
    PersistenceTracker tracker;
    xdplb_persistence_key a{};
    a.farm_id = 1;
    xdplb_persistence_key b{};
    b.farm_id = 2;
    tracker.saw(a, {4, 0, kSecond}, kSecond);
    tracker.saw(b, {5, 0, kSecond}, kSecond);
    std::uint32_t backends = 0;
    tracker.for_each([&](const xdplb_persistence_key&, const xdplb_persistence& value) { backends += value.backend_id; });
    EXPECT_EQ(backends, 9u);
    EXPECT_TRUE(tracker.saw(a, {6, 0, kSecond}, kSecond));  // another backend now
}

}  // namespace
}  // namespace xdplb::sync
