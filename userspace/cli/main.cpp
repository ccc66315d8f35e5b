// lbctl: the command-line client of lbd.
#include <net/if.h>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/api_key.hpp"
#include "api/client.hpp"
#include "cli/command_line.hpp"
#include "cli/render.hpp"
#include "cli/trace_render.hpp"
#include "model/config_file.hpp"

namespace {

constexpr int kExitSuccess = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// A message that spans lines would break the promise of one line per error.
void report_error(std::string message) {
    for (char& character : message) {
        if (character == '\n' || character == '\r') {
            character = ' ';
        }
    }
    std::cerr << "lbctl: " << message << std::endl;
}

std::string environment_or(const char* name, const std::string& otherwise) {
    const char* from_environment = std::getenv(name);
    return from_environment != nullptr && *from_environment != '\0' ? from_environment : otherwise;
}

// The unix socket, or lbd's TCP listener with the key read from its file.
xdplb::api::Endpoint endpoint_of(const xdplb::cli::CommandLine& command_line) {
    if (!command_line.connect) return command_line.socket_path;
    return xdplb::api::TcpEndpoint{*command_line.connect,
                                   xdplb::api::ApiKey::from_file(command_line.api_key_file).text()};
}

int print(const std::string& text) {
    std::cout << text << std::flush;
    if (!std::cout) {
        report_error("cannot write to standard output");
        return kExitFailure;
    }
    return kExitSuccess;
}

std::string interface_name(std::uint32_t ifindex) {
    char name[IF_NAMESIZE] = {};
    return if_indextoname(ifindex, name) != nullptr ? name : "";
}

// Prints the stream's lines as they come, until lbd ends it or lbctl is interrupted.
int follow_stream(const xdplb::cli::CommandLine& command_line, xdplb::api::Client& client) {
    if (!command_line.json_output && print(xdplb::cli::trace_header()) != kExitSuccess) return kExitFailure;
    while (const std::optional<std::string> line = client.next_streamed_line()) {
        const nlohmann::json parsed = nlohmann::json::parse(*line, nullptr, /*allow_exceptions=*/false);
        const std::string shown = command_line.json_output ? xdplb::cli::render_trace_json(parsed, interface_name)
                                                           : xdplb::cli::render_trace_line(parsed, interface_name);
        if (print(shown) != kExitSuccess) return kExitFailure;
    }
    return kExitSuccess;
}

// apply's file is read and validated here, so that a fault is shown at its
// line; lbd gets the configuration and validates it again against its own.
xdplb::api::Request with_config_file(const xdplb::cli::CommandLine& command_line, xdplb::api::Request request) {
    if (command_line.lbctl_args.contains("file")) {
        const auto path = command_line.lbctl_args["file"].get<std::string>();
        request.args["config"] = xdplb::model::config_file_json(xdplb::model::read_config_file(path));
    }
    return request;
}

int write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
        report_error("cannot write " + path);
        return kExitFailure;
    }
    return kExitSuccess;
}

int send_to_lbd(const xdplb::cli::CommandLine& command_line, const xdplb::api::Request& given) {
    const xdplb::api::Request request = with_config_file(command_line, given);
    xdplb::api::Client client(endpoint_of(command_line));
    const xdplb::api::Response response = client.call(request);
    if (!response.ok) {
        report_error(response.error);
        return kExitFailure;
    }
    if (request.command == "trace") return follow_stream(command_line, client);
    if (command_line.lbctl_args.contains("output")) {
        return write_file(command_line.lbctl_args["output"].get<std::string>(), xdplb::cli::render_json(response.result));
    }
    return print(command_line.json_output
                     ? xdplb::cli::render_json(response.result)
                     : xdplb::cli::render_for_people(request, response.result));
}

int run(const std::vector<std::string>& arguments) {
    const xdplb::cli::CommandLine command_line =
        xdplb::cli::parse_command_line(arguments, environment_or("XDPLB_SOCKET", xdplb::api::kDefaultSocketPath),
                                       environment_or("XDPLB_API_KEY_FILE", ""));
    if (const auto* help = std::get_if<xdplb::cli::HelpText>(&command_line.action)) {
        return print(help->text);
    }
    return send_to_lbd(command_line, std::get<xdplb::api::Request>(command_line.action));
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const xdplb::cli::UsageError& error) {
        report_error(error.what());
        return kExitUsage;
    } catch (const std::exception& error) {
        report_error(error.what());
        return kExitFailure;
    } catch (...) {
        report_error("unexpected internal error");
        return kExitFailure;
    }
}
