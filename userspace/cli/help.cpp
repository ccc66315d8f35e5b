#include "cli/help.hpp"

#include <algorithm>
#include <sstream>
#include <utility>
#include <vector>

#include "api/protocol.hpp"

namespace xdplb::cli {

namespace {

constexpr std::size_t kPageWidth = 80;
constexpr std::size_t kIndent = 4;
constexpr std::size_t kTermGap = 2;

using Words = std::vector<std::string>;
using Definitions = std::vector<std::pair<std::string, std::string>>;

Words split_words(const std::string& text) {
    std::istringstream stream(text);
    Words words;
    for (std::string word; stream >> word;) {
        words.push_back(word);
    }
    return words;
}

// Fills lines up to the page width; later lines start at hanging_indent.
std::string fill(const Words& words, std::size_t indent, std::size_t hanging_indent) {
    std::string text(indent, ' ');
    std::size_t line_length = indent;
    bool line_is_empty = true;
    for (const std::string& word : words) {
        if (!line_is_empty && line_length + 1 + word.size() > kPageWidth) {
            text += "\n" + std::string(hanging_indent, ' ');
            line_length = hanging_indent;
            line_is_empty = true;
        }
        if (!line_is_empty) {
            text += ' ';
            ++line_length;
        }
        text += word;
        line_length += word.size();
        line_is_empty = false;
    }
    return text + "\n";
}

std::string paragraph(const std::string& text, std::size_t indent = kIndent) {
    return fill(split_words(text), indent, indent);
}

std::string indented_line(const std::string& text) {
    return std::string(kIndent, ' ') + text + "\n";
}

std::string section(const std::string& title, const std::string& body) {
    return title + "\n" + body;
}

// Sections apart by blank lines; an empty one is left out.
std::string page(const std::vector<std::string>& sections) {
    std::string text;
    for (const std::string& section : sections) {
        if (!section.empty()) {
            text += (text.empty() ? "" : "\n") + section;
        }
    }
    return text;
}

// Each term on its own line with its text indented below, as man pages list options.
std::string term_list(const Definitions& definitions) {
    std::string text;
    for (const auto& [term, meaning] : definitions) {
        text += indented_line(term) + paragraph(meaning, 2 * kIndent);
    }
    return text;
}

// Terms in one column and short texts beside them, for lists of commands.
std::string column_list(const Definitions& definitions) {
    std::size_t term_width = 0;
    for (const auto& definition : definitions) {
        term_width = std::max(term_width, definition.first.size());
    }
    std::string text;
    for (const auto& [term, meaning] : definitions) {
        // Padding the term to the column's width puts every text at the same column.
        Words words = {term + std::string(term_width - term.size() + kTermGap - 1, ' ')};
        for (std::string& word : split_words(meaning)) {
            words.push_back(std::move(word));
        }
        text += fill(words, kIndent, kIndent + term_width + kTermGap);
    }
    return text;
}

std::string operand_usage(const OperandSpec& operand) {
    return operand.required ? operand.name : "[" + operand.name + "]";
}

std::string option_usage(const OptionSpec& option) {
    const std::string value = option.kind == ValueKind::flag ? "" : " " + option.value_name;
    const std::string usage = "--" + option.flag + value;
    return option.required ? usage : "[" + usage + "]";
}

// The words after "lbctl [GLOBAL OPTIONS]"; each option with its value is one word,
// so that filling never breaks a line between them.
std::string synopsis(const CommandSpec& command) {
    const std::string lead = "lbctl [GLOBAL OPTIONS] " + command.path;
    Words words = {lead};
    for (const OperandSpec& operand : command.operands) {
        words.push_back(operand_usage(operand));
    }
    for (const OptionSpec& option : command.options) {
        words.push_back(option_usage(option));
    }
    return fill(words, kIndent, kIndent + lead.size() + 1);
}

std::string name_section(const std::string& name, const std::string& summary) {
    return section("NAME", paragraph(name + " - " + summary));
}

std::string options_section(const CommandSpec& command) {
    Definitions definitions;
    for (const OptionSpec& option : command.options) {
        definitions.emplace_back(option_term(option),
                                 option.required ? option.help + " Required." : option.help);
    }
    return definitions.empty() ? "" : section("OPTIONS", term_list(definitions));
}

std::string examples_section(const CommandSpec& command) {
    std::string body;
    for (const std::string& example : command.examples) {
        body += indented_line(example);
    }
    return body.empty() ? "" : section("EXAMPLES", body);
}

std::string global_options_section() {
    return section(
        "GLOBAL OPTIONS",
        term_list({
            {"--socket PATH", std::string("The unix socket that lbd listens on. Default: "
                                          "$XDPLB_SOCKET if set, else ") +
                                  api::kDefaultSocketPath + "."},
            {"--connect ADDR:PORT", "Talk to lbd over TCP instead, where it listens with "
                                    "--api-listen ([ADDR]:PORT for IPv6). The connection is cleartext: "
                                    "use it on a management network or through a TLS tunnel."},
            {"--api-key-file FILE", "With --connect: the file holding lbd's API key (its first line), "
                                    "readable by its owner only. Default: $XDPLB_API_KEY_FILE."},
            {"--json", "Print lbd's result as JSON, for scripts, instead of tables and "
                       "messages. A command whose result is empty prints null."},
            {"-h, --help", "Print the help of the command it follows, or this program's."},
        }));
}

Definitions command_summaries(const std::vector<const CommandSpec*>& commands,
                              std::size_t prefix_length) {
    Definitions definitions;
    for (const CommandSpec* command : commands) {
        definitions.emplace_back(command->path.substr(prefix_length), command->summary);
    }
    return definitions;
}

std::vector<const CommandSpec*> every_command() {
    std::vector<const CommandSpec*> commands;
    for (const CommandSpec& command : all_commands()) {
        commands.push_back(&command);
    }
    return commands;
}

}  // namespace

std::string option_term(const OptionSpec& option) {
    const std::string short_form = option.short_flag != 0 ? std::string("-") + option.short_flag + ", " : "";
    const std::string value = option.kind == ValueKind::flag ? "" : " " + option.value_name;
    return short_form + "--" + option.flag + value;
}

std::string program_help() {
    return page({
        name_section("lbctl", "control lbd, the daemon of the xdplb load balancer"),
        section("SYNOPSIS", indented_line("lbctl [GLOBAL OPTIONS] COMMAND [ARGUMENTS]") +
                                indented_line("lbctl help [COMMAND]") +
                                indented_line("lbctl [COMMAND] --help")),
        section("DESCRIPTION",
                paragraph("lbctl sends one command to lbd over its unix socket and prints the "
                          "answer. lbd balances the connections to each farm, a virtual "
                          "address, port and protocol, over the farm's backends, and checks their "
                          "health when the farm has a --check. A change takes effect at once; a "
                          "command that fails changes nothing.")),
        section("COMMANDS", column_list(command_summaries(every_command(), 0)) + "\n" +
                                paragraph("'lbctl COMMAND --help' describes the arguments and "
                                          "options of each.")),
        global_options_section(),
        section("ENVIRONMENT",
                term_list({{"XDPLB_SOCKET", "The socket of lbd when --socket is not given."},
                           {"XDPLB_API_KEY_FILE", "The API key file when --api-key-file is not given."}})),
        section("EXIT STATUS",
                column_list({{"0", "The command succeeded."},
                             {"1", "lbd refused the command, or could not be reached."},
                             {"2", "The command line is wrong."}}) +
                    "\n" + paragraph("Every error is one line on standard error.")),
    });
}

std::string group_help(const CommandGroup& group) {
    const std::vector<const CommandSpec*> members = commands_of(group);
    std::string synopses;
    for (const CommandSpec* command : members) {
        synopses += synopsis(*command);
    }
    return page({
        name_section("lbctl " + group.name, group.summary),
        section("SYNOPSIS", synopses),
        section("DESCRIPTION", paragraph(group.description + " 'lbctl " + group.name +
                                         " COMMAND --help' describes each command.")),
        section("COMMANDS", column_list(command_summaries(members, group.name.size() + 1))),
        global_options_section(),
    });
}

std::string command_help(const CommandSpec& command) {
    return page({
        name_section("lbctl " + command.path, command.summary),
        section("SYNOPSIS", synopsis(command)),
        section("DESCRIPTION", paragraph(command.description)),
        options_section(command),
        examples_section(command),
        global_options_section(),
    });
}

}  // namespace xdplb::cli
