// The changes the API offers, each a pure function from one configuration to the
// next. A result is fully validated and has ids assigned, so the caller only
// has to apply it; on error nothing was changed (ValidationError).
#pragma once

#include <string>

#include "model/farm.hpp"

namespace xdplb::model {

Config add_farm(const Config& config, Farm farm);
// Replaces a farm's settings; its id, name and backends stay.
Config replace_farm_settings(const Config& config, const std::string& name, const Farm& settings);
Config delete_farm(const Config& config, const std::string& name);

Config add_backend(const Config& config, const std::string& farm_name, Backend backend);
// Replaces a backend's settings; its id stays.
Config replace_backend(const Config& config, const std::string& farm_name, const Backend& backend);
Config delete_backend(const Config& config, const std::string& farm_name, const std::string& backend_name);

// Gives every farm and backend without an id the lowest free one, then validates.
Config with_ids_assigned(Config config);

// `config` with the ids that `previous` gave to farms and backends of the same
// names, so that a restart with a config file keeps the data plane's ids.
Config with_ids_from(Config config, const Config& previous);

// `config` replaced as a whole by `wanted` (lbctl apply). Farms and backends
// that keep their names keep their ids, and with them their connections and
// counters; new ones get ids that `config` does not use either, so that no id
// passes from one owner to another within a change (its counters and health
// would go with it).
Config replace_config(const Config& config, Config wanted);

// The farm of that name, or a ValidationError saying it does not exist.
const Farm& existing_farm(const Config& config, const std::string& name);
const Backend& existing_backend(const Farm& farm, const std::string& name);

}  // namespace xdplb::model
