#include "model/operations.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "model/validate.hpp"
#include "model/validation_error.hpp"

namespace xdplb::model {

namespace {

Farm& farm_to_change(Config& config, const std::string& name) {
    existing_farm(config, name);  // throws with the message users see
    return *config.find_farm(name);
}

Backend& backend_to_change(Farm& farm, const std::string& name) {
    existing_backend(farm, name);
    return *farm.find_backend(name);
}

// Hands out the ids that `used` does not hold, lowest first. It goes on from
// where it stopped, so that giving n ids costs n steps, not n * n; a sorted
// vector rather than a set, as this runs for every change over every id.
class FreeIds {
public:
    explicit FreeIds(std::vector<std::uint32_t> used) : used_(std::move(used)) {
        std::sort(used_.begin(), used_.end());
    }

    std::uint32_t take() {
        while (next_used_ < used_.size() && used_[next_used_] <= next_) {
            if (used_[next_used_] == next_) ++next_;
            ++next_used_;
        }
        return next_++;
    }

private:
    std::vector<std::uint32_t> used_;
    std::size_t next_used_ = 0;  // the first of used_ that may still be ahead of next_
    std::uint32_t next_ = 1;
};

// The ids of `config`'s farms and backends that are assigned.
struct UsedIds {
    std::vector<std::uint32_t> farms;
    std::vector<std::uint32_t> backends;

    void add(const Config& config) {
        for (const Farm& farm : config.farms) {
            if (farm.id != 0) farms.push_back(farm.id);
            for (const Backend& backend : farm.backends) {
                if (backend.id != 0) backends.push_back(backend.id);
            }
        }
    }
};

// Gives every farm and backend without an id the lowest one not in `used`, then validates.
Config with_ids_assigned_except(Config config, UsedIds used) {
    used.add(config);
    FreeIds free_farm_ids(std::move(used.farms));
    FreeIds free_backend_ids(std::move(used.backends));
    for (Farm& farm : config.farms) {
        if (farm.id == 0) farm.id = free_farm_ids.take();
        for (Backend& backend : farm.backends) {
            if (backend.id == 0) backend.id = free_backend_ids.take();
        }
    }
    validate(config);
    return config;
}

// `config` with the ids `previous` gave to farms and backends of the same names.
Config with_ids_carried(Config config, const Config& previous) {
    for (Farm& farm : config.farms) {
        const Farm* old_farm = previous.find_farm(farm.name);
        if (old_farm == nullptr) continue;
        farm.id = old_farm->id;
        for (Backend& backend : farm.backends) {
            const Backend* old_backend = old_farm->find_backend(backend.name);
            if (old_backend != nullptr) backend.id = old_backend->id;
        }
    }
    return config;
}

}  // namespace

const Farm& existing_farm(const Config& config, const std::string& name) {
    const Farm* farm = config.find_farm(name);
    if (farm == nullptr) throw ValidationError("farm '" + name + "' does not exist");
    return *farm;
}

const Backend& existing_backend(const Farm& farm, const std::string& name) {
    const Backend* backend = farm.find_backend(name);
    if (backend == nullptr) {
        throw ValidationError("farm '" + farm.name + "' has no backend '" + name + "'");
    }
    return *backend;
}

Config with_ids_assigned(Config config) { return with_ids_assigned_except(std::move(config), {}); }

Config with_ids_from(Config config, const Config& previous) {
    return with_ids_assigned(with_ids_carried(std::move(config), previous));
}

Config replace_config(const Config& config, Config wanted) {
    UsedIds used;
    used.add(config);
    return with_ids_assigned_except(with_ids_carried(std::move(wanted), config), std::move(used));
}

Config add_farm(const Config& config, Farm farm) {
    if (config.find_farm(farm.name) != nullptr) throw ValidationError("farm '" + farm.name + "' already exists");
    Config next = config;
    farm.id = 0;
    for (Backend& backend : farm.backends) backend.id = 0;
    next.farms.push_back(std::move(farm));
    return with_ids_assigned(std::move(next));
}

Config replace_farm_settings(const Config& config, const std::string& name, const Farm& settings) {
    Config next = config;
    Farm& farm = farm_to_change(next, name);
    Farm updated = settings;
    updated.id = farm.id;
    updated.name = farm.name;
    updated.backends = std::move(farm.backends);
    farm = std::move(updated);
    return with_ids_assigned(std::move(next));
}

Config delete_farm(const Config& config, const std::string& name) {
    existing_farm(config, name);
    Config next = config;
    std::erase_if(next.farms, [&](const Farm& farm) { return farm.name == name; });
    return next;
}

Config add_backend(const Config& config, const std::string& farm_name, Backend backend) {
    Config next = config;
    Farm& farm = farm_to_change(next, farm_name);
    if (farm.find_backend(backend.name) != nullptr) {
        throw ValidationError("farm '" + farm_name + "' already has a backend '" + backend.name + "'");
    }
    backend.id = 0;
    farm.backends.push_back(std::move(backend));
    return with_ids_assigned(std::move(next));
}

Config replace_backend(const Config& config, const std::string& farm_name, const Backend& backend) {
    Config next = config;
    Farm& farm = farm_to_change(next, farm_name);
    Backend& current = backend_to_change(farm, backend.name);
    std::uint32_t id = current.id;
    current = backend;
    current.id = id;
    return with_ids_assigned(std::move(next));
}

Config delete_backend(const Config& config, const std::string& farm_name, const std::string& backend_name) {
    Config next = config;
    Farm& farm = farm_to_change(next, farm_name);
    existing_backend(farm, backend_name);
    std::erase_if(farm.backends, [&](const Backend& backend) { return backend.name == backend_name; });
    return next;
}

}  // namespace xdplb::model
