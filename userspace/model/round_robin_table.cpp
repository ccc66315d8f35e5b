#include "model/round_robin_table.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

#include "model/selection_table.hpp"

namespace xdplb::model {

namespace {

// How many turns of `length` each weight gets: proportional, the rounding
// down made up one turn at a time to the largest remainders (largest
// remainder apportionment), so each count is within one of its exact share.
std::vector<std::uint64_t> apportion(const std::vector<std::uint64_t>& weights, std::uint64_t length) {
    const std::uint64_t total = std::accumulate(weights.begin(), weights.end(), std::uint64_t{0});
    std::vector<std::uint64_t> counts(weights.size());
    std::vector<std::uint64_t> remainders(weights.size());
    std::uint64_t given = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        counts[i] = weights[i] * length / total;  // weight < 2^20, length < 2^32: no overflow
        remainders[i] = weights[i] * length % total;
        given += counts[i];
    }
    std::vector<std::size_t> by_remainder(weights.size());
    std::iota(by_remainder.begin(), by_remainder.end(), 0);
    std::stable_sort(by_remainder.begin(), by_remainder.end(),
                     [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
    for (std::size_t i = 0; given < length; ++i, ++given) counts[by_remainder[i]] += 1;
    return counts;
}

}  // namespace

std::vector<std::uint32_t> build_round_robin_table(const Farm& farm, std::size_t max_length) {
    std::vector<const Backend*> serving = serving_backends(farm);
    if (serving.empty()) return {};
    std::vector<std::uint64_t> weights;
    std::uint64_t divisor = 0;
    for (const Backend* backend : serving) divisor = std::gcd(divisor, std::uint64_t{backend->weight});
    for (const Backend* backend : serving) weights.push_back(backend->weight / divisor);
    const std::uint64_t reduced_total = std::accumulate(weights.begin(), weights.end(), std::uint64_t{0});
    const std::uint64_t length = std::min<std::uint64_t>(reduced_total, max_length);
    std::vector<std::uint64_t> counts = reduced_total <= max_length ? weights : apportion(weights, length);

    // Smooth weighted round robin: every step each backend gains its count,
    // the one furthest ahead takes the turn and pays the length back. Over
    // `length` steps each takes exactly its count of turns, evenly spread.
    std::vector<std::int64_t> credit(serving.size(), 0);
    std::vector<std::uint32_t> turns;
    turns.reserve(length);
    for (std::uint64_t step = 0; step < length; ++step) {
        std::size_t taker = 0;
        for (std::size_t i = 0; i < serving.size(); ++i) {
            credit[i] += static_cast<std::int64_t>(counts[i]);
            if (credit[i] > credit[taker]) taker = i;
        }
        credit[taker] -= static_cast<std::int64_t>(length);
        turns.push_back(serving[taker]->id);
    }
    return turns;
}

}  // namespace xdplb::model
