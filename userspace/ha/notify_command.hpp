// The --notify command, run on every state change of the virtual router as
// /bin/sh -c CMD lbd NEW_STATE OLD_STATE VRID PRIORITY: the values are
// arguments ($1 to $4), never spliced into the command text, so nothing in
// them reaches the shell's parser. lbd does not wait for it; it reaps it.
#pragma once

#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace xdplb::ha {

// Starts `command` with `arguments` as $1...; a failure to start is logged,
// and so is an exit status other than 0.
void run_notify_command(boost::asio::io_context& io, const std::string& command, const std::vector<std::string>& arguments);

}  // namespace xdplb::ha
