// An IP address as the control plane handles it: parsed strictly, printed canonically.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace xdplb {

class IpAddress {
public:
    enum class Family : std::uint8_t { v4, v6 };

    // Accepts only the canonical dotted quad or an RFC 4291 text form; nullopt otherwise.
    static std::optional<IpAddress> parse(const std::string& text);
    // The address of that family made of `bytes` (IPv4: the first 4, the rest zero).
    static IpAddress from_bytes(Family family, const std::array<std::uint8_t, 16>& bytes);

    Family family() const { return family_; }
    // The address in network byte order; IPv4 uses the first 4 bytes.
    const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
    std::string to_string() const;

    friend bool operator==(const IpAddress&, const IpAddress&) = default;

private:
    Family family_ = Family::v4;
    std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace xdplb
