// The key both nodes share: every datagram carries an HMAC-SHA256 of its
// bytes under it, so that only a holder of the key can make a node install
// connections.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <vector>

namespace xdplb::sync {

struct SyncError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kMacBytes = 32;
using Mac = std::array<std::uint8_t, kMacBytes>;

class SyncKey {
public:
    // At least this many bytes: a short key can be guessed from the MACs seen.
    static constexpr std::size_t kMinBytes = 16;

    // Throws SyncError when the key is shorter than kMinBytes.
    explicit SyncKey(std::vector<std::uint8_t> bytes);
    // The whole file is the key, but for one trailing newline (an editor's).
    // Throws SyncError (unreadable, too short).
    static SyncKey from_file(const std::filesystem::path& path);

    Mac mac(std::span<const std::uint8_t> data) const;
    // In constant time, so that timing tells a forger nothing.
    bool verify(std::span<const std::uint8_t> data, std::span<const std::uint8_t> mac) const;

private:
    std::vector<std::uint8_t> bytes_;
};

}  // namespace xdplb::sync
