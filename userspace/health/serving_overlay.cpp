#include "health/serving_overlay.hpp"

#include <algorithm>
#include <cmath>

namespace xdplb::health {

namespace {

const BackendServing* serving_of(const ServingOverlay& overlay, const model::Backend& backend) {
    auto found = overlay.find(backend.id);
    if (found == overlay.end() || !(found->second.address == backend.ip)) return nullptr;
    return &found->second;
}

// The weights' common factor while a backend of the farm ramps; 1 otherwise.
std::uint32_t ramp_scale(const model::Farm& farm, const ServingOverlay& overlay) {
    std::uint32_t heaviest = 1;
    bool ramping = false;
    for (const model::Backend& backend : farm.backends) {
        heaviest = std::max(heaviest, backend.weight);
        const BackendServing* serving = serving_of(overlay, backend);
        ramping = ramping || (serving != nullptr && !serving->down && serving->weight_fraction < 1.0);
    }
    return ramping ? std::clamp(model::kMaxWeight / heaviest, 1U, kRampScale) : 1;
}

}  // namespace

model::Config served_config(const model::Config& config, const ServingOverlay& overlay) {
    model::Config served = config;
    for (model::Farm& farm : served.farms) {
        const std::uint32_t scale = ramp_scale(farm, overlay);
        for (model::Backend& backend : farm.backends) {
            const BackendServing* serving = serving_of(overlay, backend);
            const double fraction = serving == nullptr ? 1.0 : std::clamp(serving->weight_fraction, 0.0, 1.0);
            backend.weight = static_cast<std::uint32_t>(std::floor(backend.weight * scale * fraction));
            if (serving != nullptr && serving->down) backend.state = model::AdminState::maint;
        }
    }
    return served;
}

}  // namespace xdplb::health
