// Turns lbctl's arguments into the request for lbd, or into the help that was asked for.
// It checks only the shape of the command line; lbd judges the values.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/protocol.hpp"
#include "common/socket_address.hpp"

namespace xdplb::cli {

// The command line is wrong; the message is one line saying how.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct HelpText {
    std::string text;
};

struct CommandLine {
    std::string socket_path;
    std::optional<SocketAddress> connect;  // lbd over TCP instead of socket_path
    std::string api_key_file;              // with connect
    bool json_output = false;
    std::variant<HelpText, api::Request> action;
    // The options lbctl uses itself, such as apply's file, by their arg_key.
    nlohmann::json lbctl_args = nlohmann::json::object();
};

// arguments: argv without the program's name. default_socket_path applies unless --socket
// is given, default_api_key_file ("": none) unless --api-key-file is. Throws UsageError.
CommandLine parse_command_line(const std::vector<std::string>& arguments,
                               const std::string& default_socket_path,
                               const std::string& default_api_key_file = "");

}  // namespace xdplb::cli
