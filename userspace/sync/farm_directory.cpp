#include "sync/farm_directory.hpp"

namespace xdplb::sync {

FarmDirectory::FarmDirectory(const model::Config& config) : config_(config) {
    for (const model::Farm& farm : config.farms) {
        farms_[farm.id] = &farm;
        for (const model::Backend& backend : farm.backends) backends_[backend.id] = {&farm, &backend};
    }
}

std::optional<FarmAndBackend> FarmDirectory::by_ids(std::uint32_t farm_id, std::uint32_t backend_id) const {
    auto found = backends_.find(backend_id);
    if (found == backends_.end() || found->second.farm->id != farm_id) return std::nullopt;
    return found->second;
}

const model::Farm* FarmDirectory::farm_by_id(std::uint32_t farm_id) const {
    auto found = farms_.find(farm_id);
    return found == farms_.end() ? nullptr : found->second;
}

std::optional<FarmAndBackend> FarmDirectory::by_names(const std::string& farm, const std::string& backend) const {
    const model::Farm* found_farm = config_.find_farm(farm);
    const model::Backend* found_backend = found_farm ? found_farm->find_backend(backend) : nullptr;
    if (!found_backend) return std::nullopt;
    return FarmAndBackend{found_farm, found_backend};
}

const model::Farm* FarmDirectory::farm_by_name(const std::string& farm) const { return config_.find_farm(farm); }

}  // namespace xdplb::sync
