// The address and port a check connects to, as Boost.Asio spells them.
#pragma once

#include <boost/asio/ip/address.hpp>

#include "model/health_check.hpp"

namespace xdplb::health {

boost::asio::ip::address asio_address(const IpAddress& address);

template <typename Endpoint>
Endpoint check_endpoint(const model::HealthCheck& check) {
    return Endpoint(asio_address(check.address), check.port);
}

}  // namespace xdplb::health
