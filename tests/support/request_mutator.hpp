// Request lines for fuzzing lbd's API: random bytes, and valid requests cut,
// bit-flipped, nested deep, or with values of the wrong type or absurd size.
#pragma once

#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace xdplb::testing {

class RequestMutator {
public:
    // `valid`: request lines to start from. The sequence depends on `seed` alone.
    RequestMutator(std::vector<std::string> valid, unsigned seed);

    // One line, without a newline (lbd splits on them before parsing).
    std::string next_line();

private:
    std::string random_bytes();
    std::string cut(const std::string& line);
    std::string flip_bits(std::string line);
    std::string nested_deep();
    // A valid request with one value, anywhere in it, replaced by something else.
    std::string with_odd_value(const std::string& line);
    nlohmann::json odd_value();
    nlohmann::json& random_place(nlohmann::json& value);
    std::size_t below(std::size_t bound);

    std::vector<std::string> valid_;
    std::mt19937_64 random_;
};

}  // namespace xdplb::testing
