// The ports a farm serves: a set of port numbers written as a list of ports and
// ranges, such as "80,443,8000-8100".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xdplb::model {

// Inclusive at both ends.
struct PortRange {
    std::uint16_t first = 0;
    std::uint16_t last = 0;

    friend bool operator==(const PortRange&, const PortRange&) = default;
};

// Always normalised: ranges sorted, overlapping or adjacent ones merged, so
// that two sets of the same ports are equal and print alike.
class PortSet {
public:
    PortSet() = default;
    // One port is a port set: a single-port farm reads as it always did.
    PortSet(std::uint16_t port);  // NOLINT(google-explicit-constructor)

    // Ports and ranges separated by commas, each port 1-65535, each range
    // FIRST-LAST with FIRST <= LAST. Throws ValidationError saying what is
    // wrong ("range 90-80 ends before it starts"); the caller names the text.
    static PortSet parse(const std::string& text);
    static PortSet of_ranges(std::vector<PortRange> ranges);

    const std::vector<PortRange>& ranges() const { return ranges_; }
    bool empty() const { return ranges_.empty(); }
    std::size_t count() const;
    // The port, when the set holds exactly one.
    std::optional<std::uint16_t> single() const;
    std::vector<std::uint16_t> ports() const;
    // The parse() form: "80,443,8000-8100".
    std::string to_string() const;

    friend bool operator==(const PortSet&, const PortSet&) = default;

private:
    std::vector<PortRange> ranges_;
};

}  // namespace xdplb::model
