// The catalog of lbctl's commands: what each takes, sends to lbd, and says in its help.
#pragma once

#include <string>
#include <vector>

namespace xdplb::cli {

enum class ValueKind {
    text,             // sent as a JSON string
    number,           // a whole number, sent as a JSON number
    text_or_none,     // sent as a JSON string, except "none", sent as null (the default)
    number_or_default,  // a whole number, except "default", sent as null
    text_or_default,    // sent as a JSON string, except "default", sent as null
    seconds,            // a number of seconds, whole or decimal (0.25), sent as a JSON number
    seconds_or_default,  // seconds, except "default", sent as null
    flag,                // takes no value; sent as true when given
};

struct OptionSpec {
    std::string flag;        // without the leading "--"
    std::string arg_key;     // the field of the request's args it sets
    std::string value_name;  // how help shows the value, e.g. "ADDR"
    ValueKind kind;
    bool required;
    std::string help;
    char short_flag = 0;     // e.g. 'f' for -f; 0: none
    bool for_lbctl = false;  // read by lbctl itself (a file name), not sent to lbd
};

// A positional argument, e.g. the FARM of "backend del FARM NAME".
struct OperandSpec {
    std::string name;  // how help shows it
    std::string arg_key;
    bool required;
};

struct CommandSpec {
    std::string path;         // the words that name it on the command line, e.g. "farm add"
    std::string api_command;  // e.g. "farm.add"
    std::string summary;      // one line, for lists of commands
    std::string description;  // the paragraph of its own help
    std::vector<OperandSpec> operands;
    std::vector<OptionSpec> options;
    std::vector<std::string> examples;
};

// The first word of several commands, e.g. "farm".
struct CommandGroup {
    std::string name;
    std::string summary;
    std::string description;
};

const std::vector<CommandSpec>& all_commands();
const std::vector<CommandGroup>& all_groups();

// nullptr when there is none of that name.
const CommandSpec* find_command(const std::string& path);
const CommandGroup* find_group(const std::string& name);

std::vector<const CommandSpec*> commands_of(const CommandGroup& group);

}  // namespace xdplb::cli
