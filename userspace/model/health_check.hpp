// How a backend's health is checked: the settings a farm gives all its
// backends, those a backend overrides, and what one backend's checker runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/ip_address.hpp"

namespace xdplb::model {

enum class CheckType : std::uint8_t { none, tcp, http, https, mysql, udp, cmd };
// What happens to a backend's established connections when it goes down.
enum class OnDown : std::uint8_t { keep, cut };

inline constexpr std::uint32_t kDefaultCheckIntervalMs = 2000;
inline constexpr std::uint32_t kDefaultCheckTimeoutMs = 1000;
inline constexpr std::uint32_t kDefaultCheckRise = 2;
inline constexpr std::uint32_t kDefaultCheckFall = 3;
inline constexpr std::uint32_t kMinCheckIntervalMs = 100;
inline constexpr std::uint32_t kMaxCheckIntervalMs = 3600 * 1000;
inline constexpr std::uint32_t kMinCheckTimeoutMs = 10;
inline constexpr std::uint32_t kMaxCheckCount = 100;  // rise and fall
inline constexpr std::uint32_t kMaxSlowstartSeconds = 3600;
inline constexpr std::size_t kMaxCheckPayload = 1024;  // send and expect_body
inline constexpr std::size_t kMaxCheckCommand = 4096;

// Every field is optional: none means the default (a farm's) or the farm's
// value (a backend's). A backend may set only the fields that say where and
// what to check (kBackendCheckFields), not timing, rise/fall or on_down.
struct CheckSettings {
    std::optional<CheckType> type;
    std::optional<std::uint32_t> interval_ms;
    std::optional<std::uint32_t> timeout_ms;
    std::optional<std::uint32_t> rise;
    std::optional<std::uint32_t> fall;
    std::optional<std::uint16_t> port;
    std::optional<std::string> send;         // tcp, udp
    std::optional<std::string> expect_body;  // tcp, udp, http, https
    std::optional<std::string> path;         // http, https
    std::optional<std::uint16_t> expect_status;
    std::optional<std::string> host;
    std::optional<std::string> user;  // mysql
    std::optional<std::string> password_file;
    std::optional<std::string> command;  // cmd
    std::optional<OnDown> on_down;
    std::optional<std::uint32_t> slowstart_s;

    friend bool operator==(const CheckSettings&, const CheckSettings&) = default;
};

// What one backend's checker runs: the farm's settings with the backend's
// overrides and the defaults filled in. Options of other check types are left out.
struct HealthCheck {
    CheckType type = CheckType::none;
    std::chrono::milliseconds interval{kDefaultCheckIntervalMs};
    std::chrono::milliseconds timeout{kDefaultCheckTimeoutMs};
    std::uint32_t rise = kDefaultCheckRise;
    std::uint32_t fall = kDefaultCheckFall;
    IpAddress address;
    std::uint16_t port = 0;
    std::string send;
    std::optional<std::string> expect_body;
    std::string path = "/";
    std::optional<std::uint16_t> expect_status;  // none: any 2xx or 3xx
    std::string host;                            // the Host header: the backend's address unless set
    std::optional<std::string> user;
    std::optional<std::string> password_file;
    std::string command;  // HOST and PORT already replaced
    OnDown on_down = OnDown::keep;
    std::chrono::seconds slowstart{0};

    friend bool operator==(const HealthCheck&, const HealthCheck&) = default;
};

struct Farm;
struct Backend;

HealthCheck resolve_health_check(const Farm& farm, const Backend& backend);

// Throws ValidationError naming `where` for a value out of range, an option
// that its check type does not use, or a check that lacks what it needs.
void validate_farm_check(const CheckSettings& check, const std::string& where);
void validate_backend_check(const CheckSettings& farm_check, const CheckSettings& backend_check,
                            const std::string& where);

std::string to_string(CheckType type);
std::string to_string(OnDown on_down);
std::optional<CheckType> check_type_from_string(const std::string& text);
std::optional<OnDown> on_down_from_string(const std::string& text);

}  // namespace xdplb::model
