#include "model/config_changes.hpp"

#include "model/config_json.hpp"

namespace xdplb::model {

using nlohmann::json;

namespace {

// The fields of two JSON objects that differ, by name (nlohmann's objects are sorted).
std::vector<FieldChange> differing_fields(const json& before, const json& after) {
    std::vector<FieldChange> fields;
    for (const auto& [name, value] : after.items()) {
        const json& old = before.contains(name) ? before[name] : json(nullptr);
        if (old != value) fields.push_back({name, old, value});
    }
    return fields;
}

void add_backend_changes(const Farm& before, const Farm& after, std::vector<Change>& changes) {
    for (const Backend& backend : after.backends) {
        const Backend* old = before.find_backend(backend.name);
        if (old == nullptr) {
            changes.push_back({Change::Kind::add, after.name, backend.name, {}});
            continue;
        }
        auto fields = differing_fields(backend_to_json(*old, kApiForm), backend_to_json(backend, kApiForm));
        if (!fields.empty()) changes.push_back({Change::Kind::change, after.name, backend.name, std::move(fields)});
    }
    for (const Backend& backend : before.backends) {
        if (after.find_backend(backend.name) == nullptr) {
            changes.push_back({Change::Kind::remove, after.name, backend.name, {}});
        }
    }
}

std::string kind_name(Change::Kind kind) {
    switch (kind) {
        case Change::Kind::add: return "add";
        case Change::Kind::remove: return "remove";
        case Change::Kind::change: return "change";
    }
    return "change";
}

}  // namespace

std::vector<Change> changes_between(const Config& before, const Config& after) {
    std::vector<Change> changes;
    for (const Farm& farm : after.farms) {
        const Farm* old = before.find_farm(farm.name);
        if (old == nullptr) {
            changes.push_back({Change::Kind::add, farm.name, std::nullopt, {}});
            add_backend_changes(Farm{}, farm, changes);
            continue;
        }
        // kApiForm leaves out ids and backends: backends are compared one by one.
        auto fields = differing_fields(farm_to_json(*old, kApiForm), farm_to_json(farm, kApiForm));
        if (!fields.empty()) changes.push_back({Change::Kind::change, farm.name, std::nullopt, std::move(fields)});
        add_backend_changes(*old, farm, changes);
    }
    for (const Farm& farm : before.farms) {
        if (after.find_farm(farm.name) == nullptr) changes.push_back({Change::Kind::remove, farm.name, std::nullopt, {}});
    }
    return changes;
}

json changes_to_json(const std::vector<Change>& changes) {
    json list = json::array();
    for (const Change& change : changes) {
        json item = {{"change", kind_name(change.kind)}, {"farm", change.farm}};
        if (change.backend) item["backend"] = *change.backend;
        if (change.kind == Change::Kind::change) {
            item["fields"] = json::array();
            for (const FieldChange& field : change.fields) {
                item["fields"].push_back({{"field", field.field}, {"from", field.before}, {"to", field.after}});
            }
        }
        list.push_back(std::move(item));
    }
    return list;
}

}  // namespace xdplb::model
