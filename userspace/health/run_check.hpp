// Runs one check of a backend, of whichever protocol its settings name.
#pragma once

#include <boost/asio/io_context.hpp>

#include "health/check_operation.hpp"
#include "model/health_check.hpp"

namespace xdplb::health {

// `done` is called once, on the event loop, within check.timeout (a check of
// type none is not run: it answers healthy at once).
void run_check(boost::asio::io_context& io, const model::HealthCheck& check, CheckDone done);

}  // namespace xdplb::health
