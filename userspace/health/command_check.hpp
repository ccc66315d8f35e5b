// cmd: runs check_command (HOST and PORT already replaced) with /bin/sh, as
// Nagios plugins are run: exit status 0 is healthy. The command runs in a
// process group of its own, watched on the event loop through a pidfd, and
// the timeout kills the whole group.
#pragma once

#include <boost/asio/io_context.hpp>

#include "health/check_operation.hpp"
#include "model/health_check.hpp"

namespace xdplb::health {

void run_command_check(boost::asio::io_context& io, const model::HealthCheck& check, CheckDone done);

}  // namespace xdplb::health
