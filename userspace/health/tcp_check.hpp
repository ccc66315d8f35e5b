// tcp: the port accepts a connection; with send, the text is sent; with
// expect_body, the reply must contain that text before the server closes.
#pragma once

#include <boost/asio/io_context.hpp>

#include "health/check_operation.hpp"
#include "model/health_check.hpp"

namespace xdplb::health {

void run_tcp_check(boost::asio::io_context& io, const model::HealthCheck& check, CheckDone done);

}  // namespace xdplb::health
