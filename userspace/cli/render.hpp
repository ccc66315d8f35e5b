// How lbctl shows the result of a successful command: to people, or as JSON to scripts.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "api/protocol.hpp"

namespace xdplb::cli {

// Tables for what was asked to be seen, one confirmation line for a change.
std::string render_for_people(const api::Request& request, const nlohmann::json& result);

// The result alone, indented by two spaces; null when the command has no result.
std::string render_json(const nlohmann::json& result);

}  // namespace xdplb::cli
