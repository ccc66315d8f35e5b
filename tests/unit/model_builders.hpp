// Small builders of model objects and a matcher shared by the model's unit tests.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

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

// Backend `id` of a scheduling test: named b<id>, at 198.18.1.<10 + id>.
inline Backend scheduled_backend(std::uint32_t id, std::uint32_t weight = 1, std::uint32_t priority = 1,
                                 AdminState state = AdminState::up) {
    Backend b = backend("b" + std::to_string(id), "198.18.1." + std::to_string(10 + id), id);
    b.weight = weight;
    b.priority = priority;
    b.state = state;
    return b;
}

// Farm 1, "web" on 198.18.0.100:80, with these backends.
inline Farm farm_of(std::vector<Backend> backends, Scheduler scheduler = Scheduler::weight) {
    Farm farm;
    farm.id = 1;
    farm.name = "web";
    farm.vip = *IpAddress::parse("198.18.0.100");
    farm.port = 80;
    farm.scheduler = scheduler;
    farm.backends = std::move(backends);
    return farm;
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
