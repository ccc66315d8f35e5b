// What health does to the configuration the data plane serves: a backend
// that is down is out of scheduling like one in maint (no new connections,
// persistent ones included; its established connections go on), and one in
// slow start weighs a growing fraction of its weight. The saved
// configuration never changes: health is runtime state.
#pragma once

#include <cstdint>
#include <map>

#include "common/ip_address.hpp"
#include "model/farm.hpp"

namespace xdplb::health {

struct BackendServing {
    IpAddress address;  // a backend of that id at another address is another backend
    bool down = false;
    double weight_fraction = 1.0;  // below 1 while its slow start ramps

    friend bool operator==(const BackendServing&, const BackendServing&) = default;
};

// By backend id; a backend not in it serves as configured.
using ServingOverlay = std::map<std::uint32_t, BackendServing>;

// While a farm has a backend in slow start, every weight of the farm is
// scaled by up to this much, so that even a backend of weight 1 ramps in
// steps of 1 % of its share.
inline constexpr std::uint32_t kRampScale = 100;

model::Config served_config(const model::Config& config, const ServingOverlay& overlay);

}  // namespace xdplb::health
