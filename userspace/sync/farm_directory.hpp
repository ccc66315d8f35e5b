// Farms and backends by name and by id, on one node. A record names its farm
// and backend because ids are each node's own: assigned in the order farms
// and backends were added, they differ between two nodes whose operator added
// the same farms in another order, or deleted one and added it again. Names
// are what the operator gives both nodes alike, and unlike a VIP and a
// backend address they tell apart two farms on one VIP (other ports) and two
// backends on one address (other ports).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "model/farm.hpp"

namespace xdplb::sync {

struct FarmAndBackend {
    const model::Farm* farm = nullptr;
    const model::Backend* backend = nullptr;
};

class FarmDirectory {
public:
    // `config` must outlive the directory.
    explicit FarmDirectory(const model::Config& config);

    std::optional<FarmAndBackend> by_ids(std::uint32_t farm_id, std::uint32_t backend_id) const;
    const model::Farm* farm_by_id(std::uint32_t farm_id) const;
    std::optional<FarmAndBackend> by_names(const std::string& farm, const std::string& backend) const;
    const model::Farm* farm_by_name(const std::string& farm) const;

private:
    const model::Config& config_;
    std::unordered_map<std::uint32_t, const model::Farm*> farms_;
    std::unordered_map<std::uint32_t, FarmAndBackend> backends_;
};

}  // namespace xdplb::sync
