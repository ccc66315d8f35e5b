#include "model/operations.hpp"

#include <algorithm>
#include <set>

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

std::uint32_t lowest_free_id(const std::set<std::uint32_t>& used) {
    std::uint32_t id = 1;
    while (used.contains(id)) ++id;
    return id;
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

Config with_ids_assigned(Config config) {
    std::set<std::uint32_t> farm_ids;
    std::set<std::uint32_t> backend_ids;
    for (const Farm& farm : config.farms) {
        if (farm.id != 0) farm_ids.insert(farm.id);
        for (const Backend& backend : farm.backends) {
            if (backend.id != 0) backend_ids.insert(backend.id);
        }
    }
    for (Farm& farm : config.farms) {
        if (farm.id == 0) farm_ids.insert(farm.id = lowest_free_id(farm_ids));
        for (Backend& backend : farm.backends) {
            if (backend.id == 0) backend_ids.insert(backend.id = lowest_free_id(backend_ids));
        }
    }
    validate(config);
    return config;
}

Config with_ids_from(Config config, const Config& previous) {
    for (Farm& farm : config.farms) {
        const Farm* old_farm = previous.find_farm(farm.name);
        if (old_farm == nullptr) continue;
        farm.id = old_farm->id;
        for (Backend& backend : farm.backends) {
            const Backend* old_backend = old_farm->find_backend(backend.name);
            if (old_backend != nullptr) backend.id = old_backend->id;
        }
    }
    return with_ids_assigned(std::move(config));
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
