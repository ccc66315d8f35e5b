// http and https: GET check_path with the Host header (check_host, else the
// backend's address); the status must be check_expect (default: any 2xx or
// 3xx) and the body must hold check_expect_body when set. https does not
// verify the server's certificate, as HAProxy's checks do not: the check
// proves the server answers, not who it is. Speaks HTTP/1.1 with
// "Connection: close", through Boost.Beast.
#pragma once

#include <boost/asio/io_context.hpp>

#include "health/check_operation.hpp"
#include "model/health_check.hpp"

namespace xdplb::health {

void run_http_check(boost::asio::io_context& io, const model::HealthCheck& check, CheckDone done);

}  // namespace xdplb::health
