// udp: the check's text (check_send, may be empty) goes to the port in one
// datagram, and an answer must come back before the timeout, holding
// expect_body if set. A port unreachable (ICMP) fails at once.
#pragma once

#include <boost/asio/io_context.hpp>

#include "health/check_operation.hpp"
#include "model/health_check.hpp"

namespace xdplb::health {

void run_udp_check(boost::asio::io_context& io, const model::HealthCheck& check, CheckDone done);

}  // namespace xdplb::health
