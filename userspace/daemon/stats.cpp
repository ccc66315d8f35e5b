#include "daemon/stats.hpp"

#include <optional>
#include <string>

namespace xdplb::daemon {

using nlohmann::json;

namespace {

json rate_or_null(std::optional<double> rate) { return rate ? json(*rate) : json(nullptr); }

// A rate of `rates`, or null without them.
template <typename Rates>
json member_or_null(const Rates* rates, double Rates::*member) {
    return rates != nullptr ? json(rates->*member) : json(nullptr);
}

json traffic_view(const dataplane::Traffic& total, const TrafficRate* rate) {
    return {{"packets", total.packets},
            {"bytes", total.bytes},
            {"packets_per_s", member_or_null(rate, &TrafficRate::packets_per_s)},
            {"bits_per_s", member_or_null(rate, &TrafficRate::bits_per_s)}};
}

// Totals, and rates when there are some yet.
json flow_view(const std::string& name, const dataplane::FlowCounters& total, const std::optional<FlowRates>& rates) {
    const FlowRates* known = rates ? &*rates : nullptr;
    return {{"name", name},
            {"connections", total.connections},
            {"connections_per_s", member_or_null(known, &FlowRates::connections_per_s)},
            {"to_backend", traffic_view(total.to_backend, known ? &known->to_backend : nullptr)},
            {"to_client", traffic_view(total.to_client, known ? &known->to_client : nullptr)}};
}

}  // namespace

json stats_view(const model::Config& config, const CounterSample& now, const CounterHistory& history,
                bool with_reasons) {
    json farms = json::array();
    for (const model::Farm& farm : config.farms) {
        json view = flow_view(farm.name, now.farms.at(farm.id), history.farm(farm.id));
        view["backends"] = json::array();
        for (const model::Backend& backend : farm.backends) {
            view["backends"].push_back(flow_view(backend.name, now.backends.at(backend.id), history.backend(backend.id)));
        }
        farms.push_back(std::move(view));
    }
    json result = {{"rate_window_s", rate_or_null(history.window_s())}, {"farms", std::move(farms)}};
    if (with_reasons) {
        result["reasons"] = json::object();
        result["reasons_per_s"] = json::object();
        for (const auto& [reason, count] : now.reasons) {
            result["reasons"][reason] = count;
            result["reasons_per_s"][reason] = rate_or_null(history.reason(reason));
        }
    }
    return result;
}

}  // namespace xdplb::daemon
