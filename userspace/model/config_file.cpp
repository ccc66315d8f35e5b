#include "model/config_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/config_json.hpp"
#include "model/json_lines.hpp"
#include "model/validate.hpp"
#include "model/validation_error.hpp"

namespace xdplb::model {

namespace {

std::string located(const ValidationError& error, const JsonLines& lines, const std::string& name) {
    if (error.pointer().empty()) return name + ": " + error.what();
    return name + ":" + std::to_string(lines.line_of(error.pointer())) + ": " + readable_path(error.pointer()) + ": " +
           error.problem();
}

void drop_nulls(nlohmann::json& value) {
    if (value.is_array()) {
        for (nlohmann::json& element : value) drop_nulls(element);
    }
    if (!value.is_object()) return;
    for (auto field = value.begin(); field != value.end();) {
        if (field->is_null()) {
            field = value.erase(field);
        } else {
            drop_nulls(*field);
            ++field;
        }
    }
}

}  // namespace

Config config_from_file_text(const std::string& text, const std::string& name) {
    JsonLines lines;
    try {
        lines = JsonLines::of(text);
    } catch (const JsonSyntaxError& error) {
        throw ValidationError(name + ":" + std::to_string(error.line()) + ": " + error.what());
    }
    try {
        Config config = config_from_json(nlohmann::json::parse(text), kConfigForm);
        validate(config);
        return config;
    } catch (const ValidationError& error) {
        throw ValidationError(located(error, lines, name));
    }
}

Config read_config_file(const std::string& path) {
    if (std::filesystem::is_directory(path)) throw ValidationError(path + ": cannot read: it is a directory");
    std::ifstream in(path);
    if (!in) throw ValidationError(path + ": cannot read: " + std::strerror(errno));
    std::stringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ValidationError(path + ": cannot read: " + std::strerror(errno));
    return config_from_file_text(text.str(), path);
}

nlohmann::json config_file_json(const Config& config) {
    nlohmann::json value = config_to_json(config, kConfigForm);
    drop_nulls(value);
    return value;
}

}  // namespace xdplb::model
