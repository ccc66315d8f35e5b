#include "model/selection_table.hpp"

#include <algorithm>
#include <limits>

#include <xdplb/abi.h>

namespace xdplb::model {

namespace {

constexpr std::uint32_t kAlwaysKeep = std::numeric_limits<std::uint32_t>::max();

// The largest total weight of a farm: every slot of its table at the largest weight.
constexpr std::uint64_t kMaxTotalWeight = std::uint64_t{XDPLB_MAX_FARM_BACKENDS} * kMaxWeight;
static_assert(kMaxTotalWeight < (std::uint64_t{1} << 32), "share << 32 must fit in 64 bits");

// share / total as a fraction of 2^32, for share < total <= kMaxTotalWeight:
// share holds fewer than 32 bits, so share << 32 fits in a uint64_t.
std::uint32_t threshold_of(std::uint64_t share, std::uint64_t total) {
    return static_cast<std::uint32_t>((share << 32) / total);
}

}  // namespace

std::vector<const Backend*> serving_backends(const Farm& farm) {
    std::vector<const Backend*> eligible;
    for (const Backend& backend : farm.backends) {
        if (backend.state == AdminState::up && backend.weight > 0) eligible.push_back(&backend);
    }
    if (eligible.empty()) return eligible;
    auto by_priority = [](const Backend* a, const Backend* b) { return a->priority < b->priority; };
    std::uint32_t serving_tier = (*std::min_element(eligible.begin(), eligible.end(), by_priority))->priority;
    std::erase_if(eligible, [&](const Backend* backend) { return backend->priority != serving_tier; });
    return eligible;
}

std::vector<SelectionSlot> build_selection_table(const Farm& farm) {
    std::vector<const Backend*> serving = serving_backends(farm);
    const std::uint64_t slot_count = serving.size();
    std::uint64_t total_weight = 0;
    for (const Backend* backend : serving) total_weight += backend->weight;

    // Integer Vose: each slot holds exactly total_weight of "mass" once scaled by
    // the slot count, so the arithmetic stays exact until the final threshold.
    std::vector<std::uint64_t> mass(slot_count);
    std::vector<std::size_t> light;
    std::vector<std::size_t> heavy;
    for (std::size_t i = 0; i < slot_count; ++i) {
        mass[i] = serving[i]->weight * slot_count;
        (mass[i] < total_weight ? light : heavy).push_back(i);
    }

    std::vector<SelectionSlot> table(slot_count);
    while (!light.empty() && !heavy.empty()) {
        std::size_t small = light.back();
        std::size_t large = heavy.back();
        light.pop_back();
        heavy.pop_back();
        table[small] = {threshold_of(mass[small], total_weight), serving[small]->id, serving[large]->id};
        mass[large] = mass[large] + mass[small] - total_weight;
        (mass[large] < total_weight ? light : heavy).push_back(large);
    }
    // The masses always sum to slot_count * total_weight, so what is left is
    // heavy and holds exactly one slot's mass: it always keeps its backend.
    for (std::size_t i : heavy) table[i] = {kAlwaysKeep, serving[i]->id, serving[i]->id};
    return table;
}

}  // namespace xdplb::model
