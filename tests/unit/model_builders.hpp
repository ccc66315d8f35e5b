// Small builders of model objects and a matcher shared by the model's unit tests.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include <gtest/gtest.h>

#include "model/farm.hpp"
#include "model/validation_error.hpp"

namespace xdplb::model::testing {

inline Backend backend(const std::string& name, const std::string& ip, std::uint32_t id = 0) {
    Backend b;
    b.id = id;
    b.name = name;
    b.ip = *IpAddress::parse(ip);
    return b;
}

// Runs `operation` and checks that it throws a ValidationError whose message
// mentions every one of `parts`.
template <typename Operation>
::testing::AssertionResult refused_with(Operation operation, std::initializer_list<std::string> parts) {
    try {
        operation();
    } catch (const ValidationError& error) {
        std::string message = error.what();
        for (const std::string& part : parts) {
            if (message.find(part) == std::string::npos) {
                return ::testing::AssertionFailure() << "message \"" << message << "\" does not mention \"" << part
                                                     << "\"";
            }
        }
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "it was accepted";
}

}  // namespace xdplb::model::testing
