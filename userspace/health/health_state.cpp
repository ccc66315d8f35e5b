#include "health/health_state.hpp"

namespace xdplb::health {

std::string to_string(Health health) {
    switch (health) {
    case Health::up:
        return "up";
    case Health::down:
        return "down";
    case Health::unknown:
        break;
    }
    return "unknown";
}

HealthState::HealthState(std::uint32_t rise, std::uint32_t fall, TimePoint now)
    : rise_(rise), fall_(fall), since_(now) {}

bool HealthState::record(const CheckResult& result, TimePoint now) {
    reason_ = result.reason;
    if (result.healthy) {
        failures_ = 0;
        ++successes_;
    } else {
        successes_ = 0;
        ++failures_;
    }
    Health next = health_;
    if (health_ == Health::unknown && result.healthy) next = Health::up;
    if (health_ == Health::down && successes_ >= rise_) next = Health::up;
    if (health_ != Health::down && failures_ >= fall_) next = Health::down;
    if (next == health_) return false;
    if (health_ == Health::down) recovered_at_ = now;
    health_ = next;
    since_ = now;
    return true;
}

}  // namespace xdplb::health
