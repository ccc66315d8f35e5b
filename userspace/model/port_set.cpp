#include "model/port_set.hpp"

#include <algorithm>
#include <charconv>

#include "model/validation_error.hpp"

namespace xdplb::model {

namespace {

std::uint16_t parse_port(const std::string& text) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, value);
    bool digits_only = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits_only || stop != end) throw ValidationError("'" + text + "' is not a port number");
    if (error != std::errc() || value < 1 || value > 65535) {
        throw ValidationError("port " + text + " is out of range 1-65535");
    }
    return static_cast<std::uint16_t>(value);
}

PortRange parse_item(const std::string& item) {
    std::size_t dash = item.find('-');
    if (dash == std::string::npos) {
        std::uint16_t port = parse_port(item);
        return {port, port};
    }
    PortRange range{parse_port(item.substr(0, dash)), parse_port(item.substr(dash + 1))};
    if (range.first > range.last) throw ValidationError("range " + item + " ends before it starts");
    return range;
}

}  // namespace

PortSet::PortSet(std::uint16_t port) : ranges_{{port, port}} {}

PortSet PortSet::parse(const std::string& text) {
    if (text.empty()) throw ValidationError("it is empty");
    std::vector<PortRange> ranges;
    std::size_t start = 0;
    while (true) {
        std::size_t comma = text.find(',', start);
        std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (item.empty()) throw ValidationError("it has an empty item");
        ranges.push_back(parse_item(item));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return of_ranges(std::move(ranges));
}

PortSet PortSet::of_ranges(std::vector<PortRange> ranges) {
    std::sort(ranges.begin(), ranges.end(), [](const PortRange& a, const PortRange& b) { return a.first < b.first; });
    PortSet set;
    for (const PortRange& range : ranges) {
        // Adjacent ranges merge too: 80-89,90 is 80-90.
        if (!set.ranges_.empty() && range.first <= set.ranges_.back().last + 1U) {
            set.ranges_.back().last = std::max(set.ranges_.back().last, range.last);
        } else {
            set.ranges_.push_back(range);
        }
    }
    return set;
}

std::size_t PortSet::count() const {
    std::size_t total = 0;
    for (const PortRange& range : ranges_) total += range.last - range.first + 1U;
    return total;
}

std::optional<std::uint16_t> PortSet::single() const {
    if (ranges_.size() == 1 && ranges_[0].first == ranges_[0].last) return ranges_[0].first;
    return std::nullopt;
}

std::vector<std::uint16_t> PortSet::ports() const {
    std::vector<std::uint16_t> result;
    result.reserve(count());
    for (const PortRange& range : ranges_) {
        for (std::uint32_t port = range.first; port <= range.last; ++port) result.push_back(static_cast<std::uint16_t>(port));
    }
    return result;
}

std::string PortSet::to_string() const {
    std::string text;
    for (const PortRange& range : ranges_) {
        if (!text.empty()) text += ',';
        text += std::to_string(range.first);
        if (range.last != range.first) text += '-' + std::to_string(range.last);
    }
    return text;
}

}  // namespace xdplb::model
