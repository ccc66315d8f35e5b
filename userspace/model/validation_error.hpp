#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace xdplb::model {

// A request, config file or state file that cannot be accepted; what() is one
// line that names the object and field at fault. When the fault is one value
// of a JSON document, pointer() locates it there and problem() says what is
// wrong with it without naming it, so that a config file's error can read
// "FILE:LINE: farms[1].backends[0].weight: must be ..."; otherwise pointer()
// is the document itself and problem() is what().
class ValidationError : public std::runtime_error {
public:
    explicit ValidationError(const std::string& message) : std::runtime_error(message), problem_(message) {}
    ValidationError(const std::string& message, nlohmann::json::json_pointer pointer, std::string problem)
        : std::runtime_error(message), pointer_(std::move(pointer)), problem_(std::move(problem)) {}

    // The same fault seen from a document holding this one at `parent`, its
    // message led by `context` (e.g. "farm 'web': ").
    ValidationError within(const nlohmann::json::json_pointer& parent, const std::string& context = "") const {
        return ValidationError(context + what(), parent / pointer_, problem_);
    }

    const nlohmann::json::json_pointer& pointer() const { return pointer_; }
    const std::string& problem() const { return problem_; }

private:
    nlohmann::json::json_pointer pointer_;
    std::string problem_;
};

}  // namespace xdplb::model
