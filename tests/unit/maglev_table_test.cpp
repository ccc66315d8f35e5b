#include "model/maglev_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include <xdplb/abi.h>

#include "model_builders.hpp"

namespace xdplb::model {
namespace {

constexpr std::uint32_t kSize = XDPLB_MAGLEV_TABLE_SIZE;

using testing::scheduled_backend;
// A farm of this scheduler.
Farm farm_of(std::vector<Backend> backends) { return testing::farm_of(std::move(backends), Scheduler::hash); }

Farm farm_of_equal(std::uint32_t count) {
    std::vector<Backend> backends;
    for (std::uint32_t id = 1; id <= count; ++id) backends.push_back(scheduled_backend(id));
    return farm_of(backends);
}

std::map<std::uint32_t, std::size_t> slots_of(const std::vector<std::uint32_t>& table) {
    std::map<std::uint32_t, std::size_t> slots;
    for (std::uint32_t id : table) ++slots[id];
    return slots;
}

// Of the slots that were not on `removed`, the share that changed backend.
double moved_share(const std::vector<std::uint32_t>& before, const std::vector<std::uint32_t>& after,
                   std::uint32_t removed) {
    std::size_t kept = 0;
    std::size_t moved = 0;
    for (std::size_t slot = 0; slot < before.size(); ++slot) {
        if (before[slot] == removed) continue;
        ++kept;
        moved += before[slot] != after[slot];
    }
    return static_cast<double>(moved) / kept;
}

TEST(MaglevTable, FillsEverySlotWithEqualShares) {
    auto table = build_maglev_table(farm_of_equal(10), kSize);
    ASSERT_EQ(table.size(), kSize);
    auto slots = slots_of(table);
    ASSERT_EQ(slots.size(), 10u);
    EXPECT_FALSE(slots.contains(0));
    for (const auto& [id, count] : slots) EXPECT_NEAR(count, kSize / 10.0, 1.0) << "backend " << id;
}

TEST(MaglevTable, SharesFollowTheWeights) {
    auto table = build_maglev_table(farm_of({scheduled_backend(1, 1), scheduled_backend(2, 2), scheduled_backend(3, 7)}), kSize);
    auto slots = slots_of(table);
    EXPECT_NEAR(slots[1] / double(kSize), 0.1, 0.001);
    EXPECT_NEAR(slots[2] / double(kSize), 0.2, 0.001);
    EXPECT_NEAR(slots[3] / double(kSize), 0.7, 0.001);
}

TEST(MaglevTable, DependsOnTheSetOfBackendsNotTheirOrder) {
    Farm forward = farm_of({scheduled_backend(1), scheduled_backend(2, 3), scheduled_backend(3)});
    Farm reversed = farm_of({scheduled_backend(3), scheduled_backend(2, 3), scheduled_backend(1)});
    EXPECT_EQ(build_maglev_table(forward, kSize), build_maglev_table(reversed, kSize));
}

// The requirement: removing one of N backends moves few of the keys that were
// not on it. Measured over the table's slots, which keys map to uniformly.
TEST(MaglevTable, RemovingOneOfTenMovesFewOtherSlots) {
    Farm farm = farm_of_equal(10);
    auto before = build_maglev_table(farm, kSize);
    for (std::uint32_t removed = 1; removed <= 10; ++removed) {
        Farm smaller = farm;
        std::erase_if(smaller.backends, [&](const Backend& b) { return b.id == removed; });
        auto after = build_maglev_table(smaller, kSize);
        EXPECT_FALSE(slots_of(after).contains(removed));
        double moved = moved_share(before, after, removed);
        EXPECT_LT(moved, 0.05) << "removing backend " << removed;
        RecordProperty("moved_per_mille_removing_b" + std::to_string(removed), static_cast<int>(moved * 1000));
    }
}

TEST(MaglevTable, DrainingABackendMovesFewOtherSlotsOfAWeightedFarm) {
    Farm farm = farm_of({scheduled_backend(1, 1), scheduled_backend(2, 2), scheduled_backend(3, 3), scheduled_backend(4, 4), scheduled_backend(5, 5)});
    auto before = build_maglev_table(farm, kSize);
    farm.backends[2].state = AdminState::drain;
    auto after = build_maglev_table(farm, kSize);
    EXPECT_LT(moved_share(before, after, 3), 0.05);
}

TEST(MaglevTable, AddingABackendTakesSlotsMostlyFromTheOthersShares) {
    auto before = build_maglev_table(farm_of_equal(10), kSize);
    auto after = build_maglev_table(farm_of_equal(11), kSize);
    std::size_t changed = 0;
    for (std::size_t slot = 0; slot < kSize; ++slot) changed += before[slot] != after[slot];
    // The new backend's fair share is 1/11 of the slots; little beyond it moves.
    EXPECT_LT(static_cast<double>(changed) / kSize, 1.0 / 11 + 0.05);
}

TEST(MaglevTable, OnlyTheServingTierIsInTheTable) {
    auto table = build_maglev_table(
        farm_of({scheduled_backend(1, 1, 2), scheduled_backend(2, 1, 1, AdminState::maint), scheduled_backend(3, 0), scheduled_backend(4), scheduled_backend(5)}), kSize);
    auto slots = slots_of(table);
    EXPECT_EQ(slots.size(), 2u);
    EXPECT_TRUE(slots.contains(4) && slots.contains(5));
}

TEST(MaglevTable, IsEmptyWithoutServingBackends) {
    EXPECT_TRUE(build_maglev_table(farm_of({scheduled_backend(1, 0)}), kSize).empty());
}

TEST(MaglevTable, IsDeterministic) {
    Farm farm = farm_of({scheduled_backend(1, 5), scheduled_backend(2, 9), scheduled_backend(3, 1000000)});
    EXPECT_EQ(build_maglev_table(farm, kSize), build_maglev_table(farm, kSize));
}

}  // namespace
}  // namespace xdplb::model
