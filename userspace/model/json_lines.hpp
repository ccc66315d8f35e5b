// Where the values of a JSON text are: nlohmann::json keeps no positions, so
// a second pass over the text with nlohmann's SAX parser notes the line of
// each value, by its JSON pointer, for error messages that point into a file.
#pragma once

#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace xdplb::model {

// The text is not JSON: what() is nlohmann's description, line() where it is.
class JsonSyntaxError : public std::runtime_error {
public:
    JsonSyntaxError(const std::string& description, std::size_t line)
        : std::runtime_error(description), line_(line) {}
    std::size_t line() const { return line_; }

private:
    std::size_t line_;
};

class JsonLines {
public:
    // Throws JsonSyntaxError.
    static JsonLines of(const std::string& text);

    // The line (from 1) where the value at `pointer` starts, or where its
    // closest enclosing value does when it is not in the text (a required
    // field left out): 0 only for a pointer outside the document.
    std::size_t line_of(nlohmann::json::json_pointer pointer) const;

private:
    friend class LineRecorder;
    std::map<std::string, std::size_t> lines_;  // by JSON pointer as text
};

// "farms[1].backends[0].weight" for "/farms/1/backends/0/weight".
std::string readable_path(const nlohmann::json::json_pointer& pointer);

}  // namespace xdplb::model
