#include "request_mutator.hpp"

#include <algorithm>
#include <limits>

namespace xdplb::testing {

using nlohmann::json;

RequestMutator::RequestMutator(std::vector<std::string> valid, unsigned seed)
    : valid_(std::move(valid)), random_(seed) {}

std::string RequestMutator::next_line() {
    const std::string& start = valid_[below(valid_.size())];
    std::string line;
    switch (below(6)) {
    case 0: line = random_bytes(); break;
    case 1: line = cut(start); break;
    case 2: line = flip_bits(start); break;
    case 3: line = nested_deep(); break;
    default: line = with_odd_value(start);
    }
    std::replace(line.begin(), line.end(), '\n', ' ');
    return line;
}

std::size_t RequestMutator::below(std::size_t bound) {
    return std::uniform_int_distribution<std::size_t>(0, bound - 1)(random_);
}

std::string RequestMutator::random_bytes() {
    std::string bytes(below(300), '\0');
    for (char& byte : bytes) byte = static_cast<char>(below(256));
    return bytes;
}

std::string RequestMutator::cut(const std::string& line) { return line.substr(0, below(line.size())); }

std::string RequestMutator::flip_bits(std::string line) {
    for (std::size_t flips = 1 + below(4); flips > 0 && !line.empty(); --flips) {
        line[below(line.size())] ^= static_cast<char>(1 << below(8));
    }
    return line;
}

std::string RequestMutator::nested_deep() {
    const std::size_t depth = below(4) == 0 ? 100000 + below(400000) : below(100);
    const bool arrays = below(2) == 0;
    std::string opening;
    std::string closing;
    for (std::size_t level = 0; level < depth; ++level) {
        opening += arrays ? "[" : "{\"a\":";
        closing += arrays ? "]" : "}";
    }
    if (!arrays) opening += "1";
    if (below(4) == 0) closing.resize(below(closing.size() + 1));  // unbalanced
    const char* command = below(2) == 0 ? "farm.set" : "backend.add";
    return std::string(R"({"command":")") + command + R"(","args":{"name":"web","farm":"web","port":)" + opening +
           closing + "}}";
}

std::string RequestMutator::with_odd_value(const std::string& line) {
    json request = json::parse(line);
    random_place(request) = odd_value();
    return request.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The whole request, a field of it, or a field of its args.
json& RequestMutator::random_place(json& value) {
    json* place = &value;
    while (place->is_object() && !place->empty() && below(3) != 0) {
        auto field = place->begin();
        std::advance(field, static_cast<std::ptrdiff_t>(below(place->size())));
        place = &field.value();
    }
    if (place->is_object() && below(2) == 0) return (*place)[below(2) == 0 ? "name" : "unknown_" + std::to_string(below(9))];
    return *place;
}

json RequestMutator::odd_value() {
    switch (below(16)) {
    case 0: return nullptr;
    case 1: return below(2) == 0;
    case 2: return json::array({1, "two", nullptr});
    case 3: return json::object({{"x", json::array()}});
    case 4: return std::numeric_limits<std::int64_t>::min();
    case 5: return std::numeric_limits<std::uint64_t>::max();
    case 6: return std::numeric_limits<double>::max();
    case 7: return -0.0;
    case 8: return 1.5;
    case 9: return -1;
    case 10: return 4294967296ULL;
    case 11: return std::string(below(2) == 0 ? 100000 : 33, 'a');
    case 12: return "198.18.0.100";
    case 13: return "";
    case 14: return "80,443,8000-8100,1-65535,0-0";
    default: return std::string("\xff\xfe\xc3", 3);  // not UTF-8
    }
}

}  // namespace xdplb::testing
