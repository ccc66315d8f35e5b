#include "model/maglev_table.hpp"

#include <algorithm>
#include <string>

#include "model/selection_table.hpp"

namespace xdplb::model {

namespace {

// A 64-bit hash of a name: FNV-1a over its bytes, then a mixing finalizer,
// since FNV alone leaves the high bits poorly spread for short names. `seed`
// gives independent hashes of one name.
std::uint64_t name_hash(const std::string& name, std::uint64_t seed) {
    std::uint64_t hash = 0xcbf29ce484222325ULL ^ seed;
    for (unsigned char c : name) {
        hash ^= c;
        hash *= 0x100000001b3ULL;
    }
    hash ^= hash >> 31;
    hash *= 0x7fb5d329728ea185ULL;
    hash ^= hash >> 27;
    hash *= 0x81dadef4bc2dd44dULL;
    hash ^= hash >> 33;
    return hash;
}

// One backend's walk through the table: slot (offset + j * skip) mod size
// for j = 0, 1, ... visits every slot once, size being prime.
struct Permutation {
    std::uint32_t id;
    std::uint64_t weight;
    std::uint64_t offset;
    std::uint64_t skip;
    std::uint64_t next = 0;    // j of the next slot to try
    std::uint64_t filled = 0;  // slots taken so far
};

}  // namespace

std::vector<std::uint32_t> build_maglev_table(const Farm& farm, std::uint32_t size) {
    std::vector<const Backend*> serving = serving_backends(farm);
    if (serving.empty()) return {};
    // By name, so that the order in which backends were added does not matter.
    std::sort(serving.begin(), serving.end(), [](const Backend* a, const Backend* b) { return a->name < b->name; });

    std::vector<Permutation> walks;
    std::uint64_t max_weight = 0;
    for (const Backend* backend : serving) {
        walks.push_back({backend->id, backend->weight, name_hash(backend->name, 0) % size,
                         name_hash(backend->name, 1) % (size - 1) + 1});
        max_weight = std::max<std::uint64_t>(max_weight, backend->weight);
    }

    // Rounds of turns: after round r a backend may hold r * weight / max_weight
    // slots, so the heaviest takes one slot a round and every other backend
    // its proportion. Id 0 is never a backend's: it marks a free slot.
    std::vector<std::uint32_t> table(size, 0);
    std::uint64_t free_slots = size;
    for (std::uint64_t round = 1; free_slots > 0; ++round) {
        for (Permutation& walk : walks) {
            const std::uint64_t allowed = round * walk.weight / max_weight;
            for (; walk.filled < allowed && free_slots > 0; ++walk.filled, --free_slots) {
                std::uint64_t slot = 0;
                do {
                    slot = (walk.offset + walk.next * walk.skip) % size;
                    ++walk.next;
                } while (table[slot] != 0);
                table[slot] = walk.id;
            }
        }
    }
    return table;
}

}  // namespace xdplb::model
