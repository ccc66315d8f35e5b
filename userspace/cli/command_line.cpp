#include "cli/command_line.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>

#include <boost/program_options.hpp>

#include "cli/commands.hpp"
#include "cli/help.hpp"

namespace xdplb::cli {

namespace po = boost::program_options;
using nlohmann::json;
using Words = std::vector<std::string>;

namespace {

// Without guessing, an abbreviation like "--s" is an error instead of a silent match.
constexpr int kParserStyle =
    po::command_line_style::default_style & ~po::command_line_style::allow_guessing;

struct GlobalOptions {
    std::optional<std::string> socket_path;
    std::optional<std::string> connect;
    std::optional<std::string> api_key_file;
    bool json_output = false;
    bool help = false;
    Words words;  // the command with its operands and options, in order
};

struct NamedCommand {
    const CommandSpec& spec;
    Words arguments;  // what follows the command's name
};

GlobalOptions parse_global_options(const Words& arguments) {
    po::options_description options;
    options.add_options()
        ("socket", po::value<std::string>())
        ("connect", po::value<std::string>())
        ("api-key-file", po::value<std::string>())
        ("json", po::bool_switch())
        ("help,h", po::bool_switch());
    // The command's own options are unregistered here; they stay among the words.
    const po::parsed_options parsed = po::command_line_parser(arguments)
                                          .options(options)
                                          .style(kParserStyle)
                                          .allow_unregistered()
                                          .run();
    po::variables_map values;
    po::store(parsed, values);

    GlobalOptions global;
    if (values.count("socket") != 0) {
        global.socket_path = values["socket"].as<std::string>();
    }
    if (values.count("connect") != 0) global.connect = values["connect"].as<std::string>();
    if (values.count("api-key-file") != 0) global.api_key_file = values["api-key-file"].as<std::string>();
    global.json_output = values["json"].as<bool>();
    global.help = values["help"].as<bool>();
    global.words = po::collect_unrecognized(parsed.options, po::include_positional);
    return global;
}

std::string subcommand_names(const CommandGroup& group) {
    std::string names;
    for (const CommandSpec* command : commands_of(group)) {
        names += (names.empty() ? "" : ", ") + command->path.substr(group.name.size() + 1);
    }
    return names;
}

NamedCommand split_command(const Words& words) {
    if (words.empty()) {
        throw UsageError("no command given; 'lbctl --help' lists the commands");
    }
    const std::string& first = words[0];
    if (first.starts_with("-")) {
        throw UsageError("unknown option '" + first + "'");
    }
    // "sessions flush FARM" before "sessions [FARM]": a two-word command wins.
    if (const CommandSpec* command = words.size() > 1 ? find_command(first + " " + words[1]) : nullptr) {
        return {*command, Words(words.begin() + 2, words.end())};
    }
    if (const CommandSpec* command = find_command(first)) {
        return {*command, Words(words.begin() + 1, words.end())};
    }
    const CommandGroup* group = find_group(first);
    if (group == nullptr) {
        throw UsageError("unknown command '" + first + "'; 'lbctl --help' lists the commands");
    }
    if (words.size() < 2 || words[1].starts_with("-")) {
        throw UsageError("'" + first + "' needs a command: " + subcommand_names(*group));
    }
    const std::string path = first + " " + words[1];
    const CommandSpec* command = find_command(path);
    if (command == nullptr) {
        throw UsageError("unknown command '" + path + "'; 'lbctl " + first +
                         " --help' lists the commands");
    }
    return {*command, Words(words.begin() + 2, words.end())};
}

HelpText help_for(const Words& words) {
    if (words.empty()) {
        return {program_help()};
    }
    const CommandGroup* group = find_group(words[0]);
    if (group != nullptr && (words.size() == 1 || words[1].starts_with("-"))) {
        return {group_help(*group)};
    }
    return {command_help(split_command(words).spec)};
}

// Strict: the whole text must be the number. Its range is for lbd to judge.
json whole_number(const OptionSpec& option, const std::string& text) {
    std::int64_t number = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, number);
    if (error == std::errc::result_out_of_range) {
        throw UsageError("--" + option.flag + " " + text + " is out of range");
    }
    if (error != std::errc() || stop != end) {
        throw UsageError("--" + option.flag + " needs a whole number, not '" + text + "'");
    }
    return number;
}

// A decimal number of seconds such as 0.25; its range is for lbd to judge.
json seconds(const OptionSpec& option, const std::string& text) {
    double number = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, number, std::chars_format::fixed);
    if (error != std::errc() || stop != end || !std::isfinite(number)) {
        throw UsageError("--" + option.flag + " needs a number of seconds, such as 2 or 0.5, not '" + text + "'");
    }
    return number;
}

json option_value(const OptionSpec& option, const std::string& text) {
    const bool resettable = option.kind == ValueKind::number_or_default ||
                            option.kind == ValueKind::text_or_default || option.kind == ValueKind::seconds_or_default;
    if (resettable && text == "default") {
        return nullptr;
    }
    if (option.kind == ValueKind::number || option.kind == ValueKind::number_or_default) {
        return whole_number(option, text);
    }
    if (option.kind == ValueKind::seconds || option.kind == ValueKind::seconds_or_default) {
        return seconds(option, text);
    }
    if (option.kind == ValueKind::text_or_none && text == "none") {
        return nullptr;
    }
    return text;
}

struct CommandArguments {
    po::variables_map options;
    Words operands;
};

CommandArguments parse_arguments(const CommandSpec& command, const Words& arguments) {
    po::options_description known;
    for (const OptionSpec& option : command.options) {
        const std::string names = option.short_flag != 0 ? option.flag + "," + option.short_flag : option.flag;
        if (option.kind == ValueKind::flag) {
            known.add_options()(names.c_str(), po::bool_switch());
        } else {
            known.add_options()(names.c_str(), po::value<std::string>());
        }
    }
    const po::parsed_options parsed =
        po::command_line_parser(arguments).options(known).style(kParserStyle).run();
    CommandArguments result;
    po::store(parsed, result.options);
    result.operands = po::collect_unrecognized(parsed.options, po::include_positional);
    return result;
}

void add_operands(const CommandSpec& command, const Words& given, json& args) {
    if (given.size() > command.operands.size()) {
        throw UsageError("unexpected argument '" + given[command.operands.size()] + "'");
    }
    for (std::size_t i = 0; i < command.operands.size(); ++i) {
        const OperandSpec& operand = command.operands[i];
        if (i < given.size()) {
            args[operand.arg_key] = given[i];
        } else if (operand.required) {
            throw UsageError(operand.name + " is missing");
        }
    }
}

// Options for lbd go into `args`, those lbctl uses itself into `lbctl_args`.
void add_options(const CommandSpec& command, const po::variables_map& given, json& args, json& lbctl_args) {
    for (const OptionSpec& option : command.options) {
        json& destination = option.for_lbctl ? lbctl_args : args;
        if (option.kind == ValueKind::flag) {
            if (given[option.flag].as<bool>()) destination[option.arg_key] = true;
        } else if (given.count(option.flag) != 0) {
            destination[option.arg_key] = option_value(option, given[option.flag].as<std::string>());
        } else if (option.required) {
            throw UsageError("--" + option.flag + " " + option.value_name + " is missing");
        }
    }
}

void build_request(const CommandSpec& command, const Words& arguments, CommandLine& command_line) {
    const CommandArguments given = parse_arguments(command, arguments);
    api::Request request{command.api_command};
    add_operands(command, given.operands, request.args);
    add_options(command, given.options, request.args, command_line.lbctl_args);
    command_line.action = std::move(request);
}

void request_for(const Words& words, CommandLine& command_line) {
    const auto [command, arguments] = split_command(words);
    try {
        build_request(command, arguments, command_line);
    } catch (const po::unknown_option& error) {
        throw UsageError(command.path + ": unknown option '" + error.get_option_name() + "'");
    } catch (const po::error& error) {
        throw UsageError(command.path + ": " + error.what());
    } catch (const UsageError& error) {
        throw UsageError(command.path + ": " + error.what());
    }
}

// --connect, and the key it needs; --socket and --api-key-file alone make no sense with it, or without it.
void set_tcp_endpoint(const GlobalOptions& global, CommandLine& command_line) {
    if (!global.connect) {
        if (global.api_key_file) throw UsageError("--api-key-file is for --connect, which is not given");
        return;
    }
    if (global.socket_path) throw UsageError("--connect and --socket are two ways to reach lbd: give one");
    command_line.connect = SocketAddress::parse(*global.connect);
    if (!command_line.connect) {
        throw UsageError("--connect must be ADDR:PORT (IPv6: [ADDR]:PORT), port 1-65535, got '" + *global.connect + "'");
    }
    if (command_line.api_key_file.empty()) {
        throw UsageError("--connect needs the API key: --api-key-file FILE or XDPLB_API_KEY_FILE");
    }
}

}  // namespace

CommandLine parse_command_line(const Words& arguments, const std::string& default_socket_path,
                               const std::string& default_api_key_file) {
    GlobalOptions global;
    try {
        global = parse_global_options(arguments);
    } catch (const po::error& error) {
        throw UsageError(error.what());
    }
    CommandLine command_line{global.socket_path.value_or(default_socket_path), std::nullopt,
                             global.api_key_file.value_or(default_api_key_file), global.json_output, HelpText{}};
    if (global.help) {
        command_line.action = help_for(global.words);
    } else if (!global.words.empty() && global.words[0] == "help") {
        command_line.action = help_for(Words(global.words.begin() + 1, global.words.end()));
    } else {
        set_tcp_endpoint(global, command_line);
        request_for(global.words, command_line);
    }
    return command_line;
}

}  // namespace xdplb::cli
