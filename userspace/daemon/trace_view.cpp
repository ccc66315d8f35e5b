#include "daemon/trace_view.hpp"

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <sys/socket.h>

#include <array>

#include "common/utc_time.hpp"
#include "dataplane/counters.hpp"
#include "model/operations.hpp"
#include "model/validation_error.hpp"

namespace xdplb::daemon {

namespace {

using nlohmann::json;

json name_or_null(const std::unordered_map<std::uint32_t, std::string>& names, std::uint32_t id) {
    const auto found = names.find(id);
    return found == names.end() ? json(nullptr) : json(found->second);
}

json verdict_name(std::uint32_t verdict) {
    constexpr std::array<const char*, 5> kNames = {"aborted", "drop", "pass", "tx", "redirect"};
    static_assert(XDP_REDIRECT == kNames.size() - 1, "enum xdp_action changed");
    return verdict < kNames.size() ? json(kNames[verdict]) : json(verdict);
}

json reason_name(std::uint32_t reason) {
    if (reason == XDPLB_TRACE_ESTABLISHED) return "established";
    if (reason == XDPLB_TRACE_NEW_CONNECTION) return "new_connection";
    if (const char* name = dataplane::reason_name(reason)) return name;
    return reason;
}

json protocol_name(std::uint8_t proto) {
    switch (proto) {
    case IPPROTO_TCP: return "tcp";
    case IPPROTO_UDP: return "udp";
    case IPPROTO_ICMP: return "icmp";
    case IPPROTO_ICMPV6: return "icmpv6";
    default: return proto;
    }
}

json address_text(const xdplb_addr& address, std::uint8_t family) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(family, address.words, text, sizeof(text));
    return text;
}

}  // namespace

TraceRequest trace_request_of(const json& args, const model::Config& config) {
    using model::ValidationError;
    TraceRequest request;
    for (const auto& [key, value] : args.items()) {
        if (key == "farm") {
            if (!value.is_string()) throw ValidationError("'farm' must be a string");
            request.farm_id = model::existing_farm(config, value.get<std::string>()).id;
        } else if (key == "count") {
            if (!value.is_number_integer() || value.get<std::int64_t>() < 1 || value.get<std::int64_t>() > 1'000'000'000) {
                throw ValidationError("'count' must be a whole number from 1 to 1000000000");
            }
            request.count = value.get<std::uint64_t>();
        } else if (key == "duration") {
            if (!value.is_number() || value.get<double>() < 0.001 || value.get<double>() > 86400) {
                throw ValidationError("'duration' must be a number of seconds from 0.001 to 86400");
            }
            request.duration = std::chrono::milliseconds(static_cast<std::int64_t>(value.get<double>() * 1000));
        } else {
            throw ValidationError("unknown field '" + key + "'");
        }
    }
    return request;
}

TraceNames trace_names_of(const model::Config& config) {
    TraceNames names;
    for (const model::Farm& farm : config.farms) {
        names.farms.emplace(farm.id, farm.name);
        for (const model::Backend& backend : farm.backends) names.backends.emplace(backend.id, backend.name);
    }
    return names;
}

json trace_event_view(const xdplb_trace_event& event, const TraceNames& names,
                      std::chrono::system_clock::time_point monotonic_zero) {
    const auto time = monotonic_zero + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                           std::chrono::nanoseconds(event.time_ns));
    json view = {{"time", utc_text(time)}, {"ifindex", event.ifindex}};
    const xdplb_flow_key& flow = event.flow;
    const bool ip = flow.family == AF_INET || flow.family == AF_INET6;
    const bool ports = flow.proto == IPPROTO_TCP || flow.proto == IPPROTO_UDP;
    view["proto"] = ip ? protocol_name(flow.proto) : json(nullptr);
    view["src"] = ip ? address_text(flow.src, flow.family) : json(nullptr);
    view["sport"] = ip && ports ? json(ntohs(flow.sport)) : json(nullptr);
    view["dst"] = ip ? address_text(flow.dst, flow.family) : json(nullptr);
    view["dport"] = ip && ports ? json(ntohs(flow.dport)) : json(nullptr);
    view["farm"] = name_or_null(names.farms, event.farm_id);
    view["backend"] = name_or_null(names.backends, event.backend_id);
    view["verdict"] = verdict_name(event.verdict);
    view["reason"] = reason_name(event.reason);
    view["bytes"] = event.frame_bytes;
    return view;
}

}  // namespace xdplb::daemon
