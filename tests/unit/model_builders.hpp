// Small builders of model objects shared by the model's unit tests.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "model/farm.hpp"

namespace xdplb::model::testing {

inline Backend backend(const std::string& name, const std::string& ip, std::uint32_t id = 0) {
    Backend b;
    b.id = id;
    b.name = name;
    b.ip = *IpAddress::parse(ip);
    return b;
}

}  // namespace xdplb::model::testing
