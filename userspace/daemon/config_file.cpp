#include "daemon/config_file.hpp"

#include <fstream>
#include <sstream>

#include "model/config_json.hpp"
#include "model/validate.hpp"
#include "model/validation_error.hpp"

namespace xdplb::daemon {

model::Config read_config_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw model::ValidationError("cannot read config file " + path);
    std::stringstream text;
    text << in.rdbuf();
    try {
        model::Config config = model::config_from_json(nlohmann::json::parse(text.str()), model::kConfigForm);
        model::validate(config);
        return config;
    } catch (const nlohmann::json::parse_error& error) {
        throw model::ValidationError(path + ": " + error.what());
    } catch (const model::ValidationError& error) {
        throw model::ValidationError(path + ": " + error.what());
    }
}

}  // namespace xdplb::daemon
