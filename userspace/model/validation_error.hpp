#pragma once

#include <stdexcept>

namespace xdplb::model {

// A request, config file or state file that cannot be accepted; what() is one
// line that names the object and field at fault.
class ValidationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace xdplb::model
