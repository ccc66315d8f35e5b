// What the stats command shows (docs/api.md, "Statistics"): the totals of
// each farm and backend, and without a farm of each reason a packet left the
// fast path, with their rates. Pure: the counters are read by StatsSampler.
#pragma once

#include <nlohmann/json.hpp>

#include "daemon/counter_history.hpp"
#include "model/farm.hpp"

namespace xdplb::daemon {

// Every farm of `config` (all of lbd's, or the one asked for), its totals
// from `now` (read from `config` for this request) and its rates from
// `history`; the reasons too if `with_reasons`.
nlohmann::json stats_view(const model::Config& config, const CounterSample& now, const CounterHistory& history,
                          bool with_reasons);

}  // namespace xdplb::daemon
