#include "model/config_diff.hpp"

#include <cstdint>
#include <map>
#include <set>

namespace xdplb::model {

ConfigDiff differing_farms(const Config& before, const Config& after) {
    std::map<std::uint32_t, const Farm*> before_by_id;
    for (const Farm& farm : before.farms) before_by_id[farm.id] = &farm;
    ConfigDiff diff;
    std::set<std::uint32_t> unchanged;
    for (const Farm& farm : after.farms) {
        auto old = before_by_id.find(farm.id);
        if (old != before_by_id.end() && *old->second == farm) {
            unchanged.insert(farm.id);
        } else {
            diff.after.farms.push_back(farm);
        }
    }
    for (const Farm& farm : before.farms) {
        if (!unchanged.contains(farm.id)) diff.before.farms.push_back(farm);
    }
    return diff;
}

}  // namespace xdplb::model
