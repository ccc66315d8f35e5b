// The configuration file: what lbd --config and lbctl apply -f read, and
// lbctl export writes (JSON; examples in configs/).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "model/farm.hpp"

namespace xdplb::model {

// Parses and fully validates the text of a config file called `name`. Throws
// ValidationError saying where the fault is: "NAME:LINE: farms[1].port: PROBLEM",
// or "NAME: PROBLEM" for a fault of the whole (too many farms). Ids are not
// assigned.
Config config_from_file_text(const std::string& text, const std::string& name);

// Reads FILE, then as config_from_file_text.
Config read_config_file(const std::string& path);

// The JSON of a config file holding `config`: its fields without the null
// ones, which mean the same as left out, so that the file shows what was set.
nlohmann::json config_file_json(const Config& config);

}  // namespace xdplb::model
