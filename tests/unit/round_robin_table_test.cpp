#include "model/round_robin_table.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>

#include "model_builders.hpp"

namespace xdplb::model {
namespace {

using testing::scheduled_backend;
// A farm of this scheduler.
Farm farm_of(std::vector<Backend> backends) { return testing::farm_of(std::move(backends), Scheduler::rr); }

std::map<std::uint32_t, std::size_t> turns_of(const std::vector<std::uint32_t>& table) {
    std::map<std::uint32_t, std::size_t> turns;
    for (std::uint32_t id : table) ++turns[id];
    return turns;
}

TEST(RoundRobinTable, EqualWeightsTakeTurnsInOrder) {
    auto table = build_round_robin_table(farm_of({scheduled_backend(1, 5), scheduled_backend(2, 5), scheduled_backend(3, 5)}), 4096);
    EXPECT_EQ(table, (std::vector<std::uint32_t>{1, 2, 3}));
}

TEST(RoundRobinTable, WeightsReducedByTheirCommonDivisorAreExact) {
    auto table = build_round_robin_table(farm_of({scheduled_backend(1, 500), scheduled_backend(2, 300), scheduled_backend(3, 200)}), 4096);
    ASSERT_EQ(table.size(), 10u);
    auto turns = turns_of(table);
    EXPECT_EQ(turns[1], 5u);
    EXPECT_EQ(turns[2], 3u);
    EXPECT_EQ(turns[3], 2u);
}

TEST(RoundRobinTable, HeavyBackendsTurnsAreInterleavedWithTheOthers) {
    auto table = build_round_robin_table(farm_of({scheduled_backend(1, 2), scheduled_backend(2, 1)}), 4096);
    EXPECT_EQ(table, (std::vector<std::uint32_t>{1, 2, 1}));
}

// Every stretch of the sequence, wrapping around as the data plane does, gives
// each backend its share within a small constant: no backend gets its turns in
// bursts.
TEST(RoundRobinTable, EveryStretchIsCloseToTheShares) {
    auto table = build_round_robin_table(farm_of({scheduled_backend(1, 7), scheduled_backend(2, 5), scheduled_backend(3, 3), scheduled_backend(4, 1)}), 4096);
    ASSERT_EQ(table.size(), 16u);
    std::map<std::uint32_t, double> share = {{1, 7.0 / 16}, {2, 5.0 / 16}, {3, 3.0 / 16}, {4, 1.0 / 16}};
    for (std::size_t start = 0; start < table.size(); ++start) {
        std::map<std::uint32_t, std::size_t> seen;
        for (std::size_t length = 1; length <= table.size(); ++length) {
            ++seen[table[(start + length - 1) % table.size()]];
            for (const auto& [id, fraction] : share) {
                EXPECT_LT(std::abs(static_cast<double>(seen[id]) - fraction * length), 2.0)
                    << "backend " << id << " from turn " << start << " over " << length << " turns";
            }
        }
    }
}

TEST(RoundRobinTable, TooLongASequenceIsApportionedWithinOneTurn) {
    // Reduced weights summing to 1000003 (prime) do not fit: shares are rounded.
    auto table = build_round_robin_table(farm_of({scheduled_backend(1, 1000000), scheduled_backend(2, 3)}), 4096);
    ASSERT_EQ(table.size(), 4096u);
    auto turns = turns_of(table);
    EXPECT_EQ(turns[1] + turns[2], 4096u);
    EXPECT_LE(std::abs(static_cast<double>(turns[1]) - 4096.0 * 1000000 / 1000003), 1.0);

    auto uneven = build_round_robin_table(
        farm_of({scheduled_backend(1, 999983), scheduled_backend(2, 499979), scheduled_backend(3, 250007), scheduled_backend(4, 7)}), 4096);
    ASSERT_EQ(uneven.size(), 4096u);
    const double total = 999983.0 + 499979 + 250007 + 7;
    auto counts = turns_of(uneven);
    EXPECT_LE(std::abs(counts[1] - 4096.0 * 999983 / total), 1.0);
    EXPECT_LE(std::abs(counts[2] - 4096.0 * 499979 / total), 1.0);
    EXPECT_LE(std::abs(counts[3] - 4096.0 * 250007 / total), 1.0);
    EXPECT_LE(std::abs(counts[4] - 4096.0 * 7 / total), 1.0);
}

TEST(RoundRobinTable, OnlyTheServingTierTakesTurns) {
    auto table = build_round_robin_table(farm_of({scheduled_backend(1, 1, 2), scheduled_backend(2, 1, 1, AdminState::drain),
                                                  scheduled_backend(3, 0, 1), scheduled_backend(4, 3, 1), scheduled_backend(5, 1, 1)}),
                                         4096);
    EXPECT_EQ(turns_of(table), (std::map<std::uint32_t, std::size_t>{{4, 3}, {5, 1}}));
}

TEST(RoundRobinTable, IsEmptyWithoutServingBackends) {
    EXPECT_TRUE(build_round_robin_table(farm_of({scheduled_backend(1, 0), scheduled_backend(2, 1, 1, AdminState::maint)}), 4096).empty());
}

TEST(RoundRobinTable, IsDeterministic) {
    Farm farm = farm_of({scheduled_backend(1, 13), scheduled_backend(2, 29), scheduled_backend(3, 31)});
    EXPECT_EQ(build_round_robin_table(farm, 4096), build_round_robin_table(farm, 4096));
}

}  // namespace
}  // namespace xdplb::model
