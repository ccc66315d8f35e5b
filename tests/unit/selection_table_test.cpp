#include "model/selection_table.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "model_builders.hpp"

namespace xdplb::model {
namespace {

using testing::scheduled_backend;
using testing::farm_of;

// The exact probability the data plane gives each backend id: a slot drawn
// uniformly, then keep with keep_threshold / 2^32, else the alias.
std::map<std::uint32_t, double> probabilities(const std::vector<SelectionSlot>& table) {
    std::map<std::uint32_t, double> result;
    for (const SelectionSlot& slot : table) {
        double keep = static_cast<double>(slot.keep_threshold) / 4294967296.0;
        result[slot.backend_id] += keep / table.size();
        result[slot.alias_backend_id] += (1.0 - keep) / table.size();
    }
    return result;
}

TEST(SelectionTable, IsExactToTheWeights) {
    auto table = build_selection_table(farm_of({scheduled_backend(1, 1), scheduled_backend(2, 2), scheduled_backend(3, 7)}));
    ASSERT_EQ(table.size(), 3u);
    auto p = probabilities(table);
    EXPECT_NEAR(p[1], 0.1, 1e-9);
    EXPECT_NEAR(p[2], 0.2, 1e-9);
    EXPECT_NEAR(p[3], 0.7, 1e-9);
}

TEST(SelectionTable, HandlesUnevenLargeWeights) {
    std::vector<Backend> backends;
    std::uint64_t total = 0;
    for (std::uint32_t id = 1; id <= 200; ++id) {
        std::uint32_t weight = (id * 7919) % 1000000 + 1;
        backends.push_back(scheduled_backend(id, weight));
        total += weight;
    }
    auto p = probabilities(build_selection_table(farm_of(backends)));
    for (const Backend& b : backends) {
        EXPECT_NEAR(p[b.id], static_cast<double>(b.weight) / total, 1e-9) << b.name;
    }
}

TEST(SelectionTable, EqualWeightsKeepEverySlot) {
    auto table = build_selection_table(farm_of({scheduled_backend(1, 5), scheduled_backend(2, 5)}));
    for (const SelectionSlot& slot : table) EXPECT_EQ(slot.backend_id, slot.alias_backend_id);
}

TEST(SelectionTable, SkipsDrainedMaintAndZeroWeight) {
    auto table = build_selection_table(farm_of({scheduled_backend(1, 1, 1, AdminState::drain), scheduled_backend(2, 1, 1, AdminState::maint),
                                                scheduled_backend(3, 0), scheduled_backend(4, 3)}));
    auto p = probabilities(table);
    EXPECT_NEAR(p[4], 1.0, 1e-9);
    EXPECT_EQ(p.count(1) + p.count(2) + p.count(3), 0u);
}

TEST(SelectionTable, LowestPriorityTierServesAlone) {
    auto p = probabilities(build_selection_table(farm_of({scheduled_backend(1, 1, 2), scheduled_backend(2, 1, 1), scheduled_backend(3, 3, 1)})));
    EXPECT_NEAR(p[2], 0.25, 1e-9);
    EXPECT_NEAR(p[3], 0.75, 1e-9);
    EXPECT_EQ(p.count(1), 0u);
}

TEST(SelectionTable, BackupTierTakesOverWhenPrimaryIsUnavailable) {
    auto p = probabilities(build_selection_table(
        farm_of({scheduled_backend(1, 1, 2), scheduled_backend(2, 1, 1, AdminState::maint), scheduled_backend(3, 1, 1, AdminState::drain)})));
    EXPECT_NEAR(p[1], 1.0, 1e-9);
}

TEST(SelectionTable, EmptyWhenNothingServes) {
    EXPECT_TRUE(build_selection_table(farm_of({})).empty());
    EXPECT_TRUE(build_selection_table(farm_of({scheduled_backend(1, 0)})).empty());
}

}  // namespace
}  // namespace xdplb::model
