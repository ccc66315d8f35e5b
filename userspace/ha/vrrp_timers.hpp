// The timers RFC 5798 6.1 derives from a priority and the master's advert
// interval. Kept in microseconds rather than the RFC's centiseconds: at an
// interval of 0.1 s, whole centiseconds would give priorities 250 and 254
// the same skew (0), and the backups the same moment to take over.
#pragma once

#include <chrono>
#include <cstdint>

namespace xdplb::ha {

using Centiseconds = std::chrono::duration<std::int64_t, std::centi>;

// ((256 - priority) x interval) / 256: how much later than a higher-priority
// backup this one declares the master down.
std::chrono::microseconds skew_time(std::uint8_t priority, Centiseconds master_advert_interval);

// 3 x interval + skew: how long a backup waits for an advert.
std::chrono::microseconds master_down_interval(std::uint8_t priority, Centiseconds master_advert_interval);

}  // namespace xdplb::ha
