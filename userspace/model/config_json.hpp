// The JSON form of the model: what the API, the config file and the state file carry.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/farm.hpp"

namespace xdplb::model {

// Which fields a JSON document may carry besides the user-facing ones.
struct JsonForm {
    bool ids = false;       // data-plane ids: only the state file has them
    bool backends = false;  // a farm's backend list: config and state files
};

inline constexpr JsonForm kApiForm{};
inline constexpr JsonForm kConfigForm{.ids = false, .backends = true};
inline constexpr JsonForm kStateForm{.ids = true, .backends = true};

// The health-check fields a backend may set (the farm's others are the farm's alone).
const std::vector<std::string>& backend_check_fields();

nlohmann::json backend_to_json(const Backend& backend, JsonForm form);
nlohmann::json farm_to_json(const Farm& farm, JsonForm form);
nlohmann::json config_to_json(const Config& config, JsonForm form);

// Each *_from_json checks types and ranges of every field, refuses unknown
// fields, and throws ValidationError naming the field. Rules that span
// objects (unique names, limits) are validate()'s.
Backend backend_from_json(const nlohmann::json& value, JsonForm form);
Farm farm_from_json(const nlohmann::json& value, JsonForm form);
Config config_from_json(const nlohmann::json& value, JsonForm form);

}  // namespace xdplb::model
