// A backend's health as its checks' results make it: rise successes in a row
// bring a down backend up, fall failures in a row take it down. Pure: the
// caller gives the time, so tests drive it with a clock of their own.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace xdplb::health {

enum class Health : std::uint8_t { unknown, up, down };
std::string to_string(Health health);

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

struct CheckResult {
    bool healthy = false;
    std::string reason;  // one line: what the check saw
};

class HealthState {
public:
    // Unknown since `now`: a backend is checked before it is judged.
    HealthState(std::uint32_t rise, std::uint32_t fall, TimePoint now);

    // Counts one result; true when it changed the health. Unknown becomes up
    // at the first success (it was serving already) and down after fall
    // failures, as up does.
    bool record(const CheckResult& result, TimePoint now);

    // New rise and fall apply from the next result on.
    void set_thresholds(std::uint32_t rise, std::uint32_t fall) {
        rise_ = rise;
        fall_ = fall;
    }

    Health health() const { return health_; }
    const std::string& reason() const { return reason_; }  // of the last result
    TimePoint since() const { return since_; }              // of the current health
    // When it last came back up from down: where a slow start begins.
    std::optional<TimePoint> recovered_at() const { return recovered_at_; }

private:
    std::uint32_t rise_;
    std::uint32_t fall_;
    Health health_ = Health::unknown;
    std::string reason_ = "not checked yet";
    TimePoint since_;
    std::optional<TimePoint> recovered_at_;
    std::uint32_t successes_ = 0;  // in a row
    std::uint32_t failures_ = 0;   // in a row
};

}  // namespace xdplb::health
