// lbctl's help pages, laid out like man pages.
#pragma once

#include <string>

#include "cli/commands.hpp"

namespace xdplb::cli {

// How help names an option: "--port PORT", "-f, --file FILE", "--dry-run".
std::string option_term(const OptionSpec& option);

std::string program_help();
std::string group_help(const CommandGroup& group);
std::string command_help(const CommandSpec& command);

}  // namespace xdplb::cli
