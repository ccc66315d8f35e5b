#include "cli/command_line.hpp"

#include <gtest/gtest.h>

#include "cli/commands.hpp"
#include "cli/help.hpp"

namespace xdplb::cli {
namespace {

using nlohmann::json;

const std::string kDefaultSocket = "/run/test/lbd.sock";

CommandLine parse(const std::vector<std::string>& arguments) {
    return parse_command_line(arguments, kDefaultSocket);
}

api::Request request_of(const std::vector<std::string>& arguments) {
    const CommandLine command_line = parse(arguments);
    EXPECT_TRUE(std::holds_alternative<api::Request>(command_line.action));
    return std::get<api::Request>(command_line.action);
}

std::string help_of(const std::vector<std::string>& arguments) {
    const CommandLine command_line = parse(arguments);
    EXPECT_TRUE(std::holds_alternative<HelpText>(command_line.action));
    return std::get<HelpText>(command_line.action).text;
}

// The message of the UsageError that the arguments cause, or "" if none.
std::string usage_error_of(const std::vector<std::string>& arguments) {
    try {
        parse(arguments);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "";
}

void expect_request(const std::vector<std::string>& arguments, const std::string& command,
                    const json& args) {
    const api::Request request = request_of(arguments);
    EXPECT_EQ(request.command, command);
    EXPECT_EQ(request.args, args) << request.args.dump();
}

TEST(CliCommandLine, FarmAddWithRequiredOptions) {
    expect_request({"farm", "add", "web", "--vip", "192.0.2.1", "--port", "80", "--proto", "tcp"},
                   "farm.add", {{"name", "web"}, {"vip", "192.0.2.1"}, {"port", "80"}, {"proto", "tcp"}});
}

TEST(CliCommandLine, FarmAddWithEveryOption) {
    expect_request({"farm", "add", "web", "--vip=192.0.2.1", "--port=443", "--proto=udp", "--mode",
                    "dnat", "--scheduler", "hash", "--hash-key", "srcip-srcport", "--persistence", "srcip",
                    "--persist-ttl", "600", "--snat-addr", "10.0.0.1"},
                   "farm.add",
                   {{"name", "web"}, {"vip", "192.0.2.1"}, {"port", "443"}, {"proto", "udp"},
                    {"mode", "dnat"}, {"scheduler", "hash"}, {"hash_key", "srcip-srcport"},
                    {"persistence", "srcip"}, {"persist_ttl", 600}, {"snat_addr", "10.0.0.1"}});
}

TEST(CliCommandLine, FarmAddWithHealthCheckOptions) {
    expect_request({"farm", "add", "db", "--vip", "192.0.2.1", "--port", "3306", "--proto", "tcp", "--check", "mysql",
                    "--check-interval", "0.5", "--check-timeout", "0.25", "--check-rise", "2", "--check-fall", "3",
                    "--check-user", "monitor", "--check-password-file", "/etc/xdplb/monitor.pass", "--on-down", "cut",
                    "--slowstart", "30", "--check-port", "3307"},
                   "farm.add",
                   {{"name", "db"}, {"vip", "192.0.2.1"}, {"port", "3306"}, {"proto", "tcp"}, {"check", "mysql"},
                    {"check_interval", 0.5}, {"check_timeout", 0.25}, {"check_rise", 2}, {"check_fall", 3},
                    {"check_user", "monitor"}, {"check_password_file", "/etc/xdplb/monitor.pass"},
                    {"on_down", "cut"}, {"slowstart", 30}, {"check_port", 3307}});
}

TEST(CliCommandLine, FarmSetHealthCheckOptionsTakeDefault) {
    expect_request({"farm", "set", "web", "--check", "http", "--check-path", "/health", "--check-expect", "200",
                    "--check-host", "default", "--check-interval", "default", "--check-expect-body", "ok"},
                   "farm.set",
                   {{"name", "web"}, {"check", "http"}, {"check_path", "/health"}, {"check_expect", 200},
                    {"check_host", nullptr}, {"check_interval", nullptr}, {"check_expect_body", "ok"}});
}

TEST(CliCommandLine, CheckSecondsMustBeANumber) {
    EXPECT_EQ(usage_error_of({"farm", "set", "web", "--check-interval", "1s"}),
              "farm set: --check-interval needs a number of seconds, such as 2 or 0.5, not '1s'");
    EXPECT_NE(usage_error_of({"farm", "set", "web", "--check-timeout", "nan"}), "");
    EXPECT_EQ(usage_error_of({"farm", "add", "web", "--vip", "192.0.2.1", "--port", "80", "--proto", "tcp",
                              "--check-interval", "default"}),
              "farm add: --check-interval needs a number of seconds, such as 2 or 0.5, not 'default'");
}

TEST(CliCommandLine, BackendCheckOverrides) {
    expect_request({"backend", "add", "web", "web1", "--ip", "10.0.0.11", "--check-port", "8080", "--check", "tcp"},
                   "backend.add",
                   {{"farm", "web"}, {"name", "web1"}, {"ip", "10.0.0.11"}, {"check_port", 8080}, {"check", "tcp"}});
    expect_request({"backend", "set", "web", "web1", "--check-port", "default", "--check-command", "true"},
                   "backend.set",
                   {{"farm", "web"}, {"name", "web1"}, {"check_port", nullptr}, {"check_command", "true"}});
    EXPECT_EQ(usage_error_of({"backend", "set", "web", "web1", "--check-interval", "1"}),
              "backend set: unknown option '--check-interval'");
}

TEST(CliCommandLine, FarmAddSendsNoneAsAnAddressForLbdToRefuse) {
    const api::Request request = request_of(
        {"farm", "add", "web", "--vip", "1.1.1.1", "--port", "1", "--proto", "tcp", "--snat-addr", "none"});
    EXPECT_EQ(request.args["snat_addr"], "none");
}

TEST(CliCommandLine, FarmSetSendsOnlyWhatIsGiven) {
    expect_request({"farm", "set", "web", "--port", "8080"}, "farm.set", {{"name", "web"}, {"port", "8080"}});
    expect_request({"farm", "set", "web"}, "farm.set", {{"name", "web"}});
}

TEST(CliCommandLine, FarmSetWithEveryOption) {
    expect_request({"farm", "set", "web", "--vip", "192.0.2.2", "--port", "81", "--proto", "udp",
                    "--mode", "snat", "--scheduler", "hash", "--hash-key", "5tuple", "--persistence", "none",
                    "--persist-ttl", "60", "--snat-addr", "10.0.0.2"},
                   "farm.set",
                   {{"name", "web"}, {"vip", "192.0.2.2"}, {"port", "81"}, {"proto", "udp"},
                    {"mode", "snat"}, {"scheduler", "hash"}, {"hash_key", "5tuple"}, {"persistence", "none"},
                    {"persist_ttl", 60}, {"snat_addr", "10.0.0.2"}});
}

TEST(CliCommandLine, FarmSetHashKeyNoneSendsNull) {
    expect_request({"farm", "set", "web", "--scheduler", "rr", "--hash-key", "none"}, "farm.set",
                   {{"name", "web"}, {"scheduler", "rr"}, {"hash_key", nullptr}});
}

TEST(CliCommandLine, FarmAddSendsHashKeyNoneForLbdToRefuse) {
    const api::Request request = request_of({"farm", "add", "web", "--vip", "1.1.1.1", "--port", "1", "--proto",
                                             "tcp", "--scheduler", "hash", "--hash-key", "none"});
    EXPECT_EQ(request.args["hash_key"], "none");
}

TEST(CliCommandLine, PersistTtlMustBeAWholeNumber) {
    EXPECT_THROW(request_of({"farm", "set", "web", "--persist-ttl", "5m"}), UsageError);
}

TEST(CliCommandLine, FarmPortListAndDsrModeReachLbdAsText) {
    expect_request({"farm", "add", "media", "--vip", "192.0.2.1", "--port", "80,443,8000-8100", "--proto", "tcp",
                    "--mode", "dsr"},
                   "farm.add",
                   {{"name", "media"}, {"vip", "192.0.2.1"}, {"port", "80,443,8000-8100"}, {"proto", "tcp"},
                    {"mode", "dsr"}});
}

TEST(CliCommandLine, FarmSetSnatAddrNoneSendsNull) {
    expect_request({"farm", "set", "web", "--snat-addr", "none"}, "farm.set",
                   {{"name", "web"}, {"snat_addr", nullptr}});
}

TEST(CliCommandLine, FarmDelListShow) {
    expect_request({"farm", "del", "web"}, "farm.del", {{"name", "web"}});
    expect_request({"farm", "list"}, "farm.list", json::object());
    expect_request({"farm", "show", "web"}, "farm.show", {{"name", "web"}});
}

TEST(CliCommandLine, BackendAddWithRequiredOptions) {
    expect_request({"backend", "add", "web", "web1", "--ip", "10.0.0.1"}, "backend.add",
                   {{"farm", "web"}, {"name", "web1"}, {"ip", "10.0.0.1"}});
}

TEST(CliCommandLine, BackendAddWithEveryOption) {
    expect_request({"backend", "add", "web", "web1", "--ip", "10.0.0.1", "--port", "8080",
                    "--weight", "5", "--priority", "2", "--state", "drain", "--maxconn", "100"},
                   "backend.add",
                   {{"farm", "web"}, {"name", "web1"}, {"ip", "10.0.0.1"}, {"port", 8080},
                    {"weight", 5}, {"priority", 2}, {"state", "drain"}, {"maxconn", 100}});
}

TEST(CliCommandLine, BackendSet) {
    expect_request({"backend", "set", "web", "web1", "--weight", "0", "--priority", "3", "--state", "maint",
                    "--maxconn", "0"},
                   "backend.set",
                   {{"farm", "web"}, {"name", "web1"}, {"weight", 0}, {"priority", 3}, {"state", "maint"},
                    {"maxconn", 0}});
}

TEST(CliCommandLine, BackendDel) {
    expect_request({"backend", "del", "web", "web1"}, "backend.del", {{"farm", "web"}, {"name", "web1"}});
}

TEST(CliCommandLine, StatsOfAllFarmsOrOne) {
    expect_request({"stats"}, "stats", json::object());
    expect_request({"stats", "web"}, "stats", {{"farm", "web"}});
}

TEST(CliCommandLine, SessionsWithFilters) {
    expect_request({"sessions"}, "sessions", json::object());
    expect_request({"sessions", "web", "--backend", "web1", "--client", "192.0.2.7"}, "sessions",
                   {{"farm", "web"}, {"backend", "web1"}, {"client", "192.0.2.7"}});
}

TEST(CliCommandLine, SessionsFlushIsTheTwoWordCommand) {
    expect_request({"sessions", "flush", "web"}, "sessions.flush", {{"farm", "web"}});
    expect_request({"sessions", "flush", "web", "--backend", "web1"}, "sessions.flush",
                   {{"farm", "web"}, {"backend", "web1"}});
    EXPECT_EQ(usage_error_of({"sessions", "flush"}), "sessions flush: FARM is missing");
    EXPECT_EQ(usage_error_of({"sessions", "flush", "web", "--client", "192.0.2.7"}),
              "sessions flush: unknown option '--client'");
    EXPECT_TRUE(help_of({"sessions", "flush", "--help"}).starts_with("NAME\n    lbctl sessions flush - "));
    EXPECT_TRUE(help_of({"help", "sessions"}).starts_with("NAME\n    lbctl sessions - "));
}

TEST(CliCommandLine, NegativeNumbersReachLbdForItToRefuse) {
    expect_request({"backend", "set", "web", "web1", "--weight", "-5"}, "backend.set",
                   {{"farm", "web"}, {"name", "web1"}, {"weight", -5}});
    expect_request({"backend", "set", "web", "web1", "--weight=-5"}, "backend.set",
                   {{"farm", "web"}, {"name", "web1"}, {"weight", -5}});
}

TEST(CliCommandLine, ValuesOutOfRangeReachLbdForItToRefuse) {
    expect_request({"farm", "set", "web", "--port", "70000"}, "farm.set", {{"name", "web"}, {"port", "70000"}});
    expect_request({"farm", "set", "web", "--proto", "sctp"}, "farm.set", {{"name", "web"}, {"proto", "sctp"}});
}

TEST(CliCommandLine, OptionsMayComeBeforeOperands) {
    expect_request({"backend", "add", "--ip", "10.0.0.1", "web", "web1"}, "backend.add",
                   {{"farm", "web"}, {"name", "web1"}, {"ip", "10.0.0.1"}});
}

TEST(CliCommandLine, SocketComesFromDefaultThenOption) {
    EXPECT_EQ(parse({"farm", "list"}).socket_path, kDefaultSocket);
    EXPECT_EQ(parse({"--socket", "/tmp/a.sock", "farm", "list"}).socket_path, "/tmp/a.sock");
    EXPECT_EQ(parse({"--socket=/tmp/b.sock", "farm", "list"}).socket_path, "/tmp/b.sock");
}

TEST(CliCommandLine, ConnectReachesLbdOverTcpWithTheKeyFile) {
    EXPECT_FALSE(parse({"farm", "list"}).connect);
    const CommandLine tcp = parse({"--connect", "[fd00::1]:9843", "--api-key-file", "/k", "farm", "list"});
    ASSERT_TRUE(tcp.connect);
    EXPECT_EQ(tcp.connect->to_string(), "[fd00::1]:9843");
    EXPECT_EQ(tcp.api_key_file, "/k");
    EXPECT_EQ(parse_command_line({"--connect", "198.18.0.1:9843", "farm", "list"}, kDefaultSocket, "/env.key")
                  .api_key_file,
              "/env.key");
    EXPECT_EQ(parse_command_line({"--connect", "198.18.0.1:9843", "--api-key-file", "/k", "farm", "list"},
                                 kDefaultSocket, "/env.key")
                  .api_key_file,
              "/k");
}

TEST(CliCommandLine, ConnectNeedsAnAddressAndAKeyAndExcludesSocket) {
    EXPECT_EQ(usage_error_of({"--connect", "198.18.0.1:9843", "farm", "list"}),
              "--connect needs the API key: --api-key-file FILE or XDPLB_API_KEY_FILE");
    EXPECT_EQ(usage_error_of({"--connect", "lbd:9843", "--api-key-file", "/k", "farm", "list"}),
              "--connect must be ADDR:PORT (IPv6: [ADDR]:PORT), port 1-65535, got 'lbd:9843'");
    EXPECT_EQ(usage_error_of({"--connect", "198.18.0.1:9843", "--api-key-file", "/k", "--socket", "/s", "farm", "list"}),
              "--connect and --socket are two ways to reach lbd: give one");
    EXPECT_EQ(usage_error_of({"--api-key-file", "/k", "farm", "list"}),
              "--api-key-file is for --connect, which is not given");
}

TEST(CliCommandLine, JsonOutputBeforeOrAfterTheCommand) {
    EXPECT_FALSE(parse({"farm", "list"}).json_output);
    EXPECT_TRUE(parse({"--json", "farm", "list"}).json_output);
    EXPECT_TRUE(parse({"farm", "list", "--json"}).json_output);
    const CommandLine both = parse({"--json", "--socket", "/s", "stats", "web"});
    EXPECT_TRUE(both.json_output);
    EXPECT_EQ(both.socket_path, "/s");
    EXPECT_EQ(std::get<api::Request>(both.action).args, json({{"farm", "web"}}));
}

TEST(CliCommandLine, ProgramHelp) {
    for (const auto& arguments : std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}}) {
        const std::string help = help_of(arguments);
        for (const char* section : {"NAME\n", "SYNOPSIS\n", "DESCRIPTION\n", "COMMANDS\n",
                                    "GLOBAL OPTIONS\n", "ENVIRONMENT\n", "EXIT STATUS\n"}) {
            EXPECT_NE(help.find(section), std::string::npos) << section;
        }
        for (const CommandSpec& command : all_commands()) {
            EXPECT_NE(help.find(command.path + " "), std::string::npos) << command.path;
        }
        EXPECT_NE(help.find("XDPLB_SOCKET"), std::string::npos);
    }
}

TEST(CliCommandLine, GroupHelp) {
    for (const auto& arguments : std::vector<std::vector<std::string>>{
             {"farm", "--help"}, {"help", "farm"}, {"--help", "farm"}}) {
        const std::string help = help_of(arguments);
        EXPECT_TRUE(help.starts_with("NAME\n    lbctl farm - manage farms\n")) << help;
        EXPECT_NE(help.find("farm add NAME --vip ADDR"), std::string::npos) << help;
        EXPECT_EQ(help.find("backend add"), std::string::npos) << help;
    }
}

TEST(CliCommandLine, EveryCommandHasHelpNamingAllItsOptions) {
    for (const CommandSpec& command : all_commands()) {
        std::vector<std::string> words;
        for (std::size_t start = 0, space = 0; space != std::string::npos; start = space + 1) {
            space = command.path.find(' ', start);
            words.push_back(command.path.substr(start, space - start));
        }
        words.push_back("--help");
        const std::string help = help_of(words);
        EXPECT_TRUE(help.starts_with("NAME\n    lbctl " + command.path + " - " + command.summary))
            << help;
        EXPECT_NE(help.find("SYNOPSIS\n"), std::string::npos);
        EXPECT_NE(help.find("DESCRIPTION\n"), std::string::npos);
        for (const OptionSpec& option : command.options) {
            EXPECT_NE(help.find("\n    " + option_term(option) + "\n"), std::string::npos)
                << command.path << " --" << option.flag;
        }
    }
}

TEST(CliCommandLine, HelpWinsOverTheRestOfTheLine) {
    EXPECT_TRUE(help_of({"farm", "add", "web", "--port", "x", "--help"})
                    .starts_with("NAME\n    lbctl farm add - "));
    EXPECT_TRUE(help_of({"help", "backend", "set"}).starts_with("NAME\n    lbctl backend set - "));
}

TEST(CliCommandLine, HelpTextFitsInEightyColumns) {
    std::vector<std::string> pages = {help_of({"--help"}), help_of({"farm", "--help"}),
                                      help_of({"backend", "--help"})};
    for (const CommandSpec& command : all_commands()) {
        pages.push_back(help_of({"help", command.path.substr(0, command.path.find(' ')),
                                 command.path.substr(command.path.find(' ') + 1)}));
    }
    for (const std::string& page : pages) {
        std::size_t start = 0;
        for (std::size_t end; (end = page.find('\n', start)) != std::string::npos; start = end + 1) {
            EXPECT_LE(end - start, 80u) << page.substr(start, end - start);
        }
    }
}

TEST(CliCommandLine, NoCommand) {
    EXPECT_EQ(usage_error_of({}), "no command given; 'lbctl --help' lists the commands");
    EXPECT_EQ(usage_error_of({"--json"}), "no command given; 'lbctl --help' lists the commands");
}

TEST(CliCommandLine, UnknownCommands) {
    EXPECT_EQ(usage_error_of({"frm", "list"}), "unknown command 'frm'; 'lbctl --help' lists the commands");
    EXPECT_EQ(usage_error_of({"farm", "lst"}),
              "unknown command 'farm lst'; 'lbctl farm --help' lists the commands");
    EXPECT_EQ(usage_error_of({"farm"}), "'farm' needs a command: add, set, del, list, show");
    EXPECT_EQ(usage_error_of({"backend", "--ip", "1"}), "'backend' needs a command: add, set, del");
    EXPECT_EQ(usage_error_of({"help", "nope"}), "unknown command 'nope'; 'lbctl --help' lists the commands");
}

TEST(CliCommandLine, UnknownOptions) {
    EXPECT_EQ(usage_error_of({"--verbose", "farm", "list"}), "unknown option '--verbose'");
    EXPECT_EQ(usage_error_of({"farm", "list", "--verbose"}), "farm list: unknown option '--verbose'");
    EXPECT_EQ(usage_error_of({"farm", "del", "web", "--vip", "1.1.1.1"}), "farm del: unknown option '--vip'");
    EXPECT_EQ(usage_error_of({"backend", "set", "web", "web1", "--ip", "1.1.1.1"}),
              "backend set: unknown option '--ip'");
    EXPECT_EQ(usage_error_of({"farm", "del", "--name", "web"}), "farm del: unknown option '--name'");
}

TEST(CliCommandLine, AbbreviatedOptionsAreUnknown) {
    EXPECT_EQ(usage_error_of({"backend", "set", "web", "web1", "--weig", "2"}),
              "backend set: unknown option '--weig'");
    EXPECT_EQ(usage_error_of({"--sock", "/s", "farm", "list"}), "unknown option '--sock'");
}

TEST(CliCommandLine, MissingOperandsAndOptions) {
    EXPECT_EQ(usage_error_of({"farm", "add"}), "farm add: NAME is missing");
    EXPECT_EQ(usage_error_of({"farm", "add", "web", "--port", "80", "--proto", "tcp"}),
              "farm add: --vip ADDR is missing");
    EXPECT_EQ(usage_error_of({"farm", "add", "web", "--vip", "1.1.1.1", "--proto", "tcp"}),
              "farm add: --port PORTS is missing");
    EXPECT_EQ(usage_error_of({"farm", "add", "web", "--vip", "1.1.1.1", "--port", "80"}),
              "farm add: --proto tcp|udp is missing");
    EXPECT_EQ(usage_error_of({"backend", "add", "web"}), "backend add: NAME is missing");
    EXPECT_EQ(usage_error_of({"backend", "add", "web", "web1"}), "backend add: --ip ADDR is missing");
    EXPECT_EQ(usage_error_of({"backend", "del"}), "backend del: FARM is missing");
}

TEST(CliCommandLine, OptionWithoutItsValue) {
    EXPECT_EQ(usage_error_of({"farm", "set", "web", "--vip"}),
              "farm set: the required argument for option '--vip' is missing");
    EXPECT_EQ(usage_error_of({"--socket"}), "the required argument for option '--socket' is missing");
}

TEST(CliCommandLine, ExtraOperands) {
    EXPECT_EQ(usage_error_of({"farm", "list", "web"}), "farm list: unexpected argument 'web'");
    EXPECT_EQ(usage_error_of({"stats", "web", "api"}), "stats: unexpected argument 'api'");
    EXPECT_EQ(usage_error_of({"backend", "del", "web", "web1", "web2"}),
              "backend del: unexpected argument 'web2'");
}

TEST(CliCommandLine, RepeatedOption) {
    EXPECT_EQ(usage_error_of({"farm", "set", "web", "--port", "1", "--port", "2"}),
              "farm set: option '--port' cannot be specified more than once");
}

TEST(CliCommandLine, NumbersAreParsedStrictly) {
    EXPECT_EQ(usage_error_of({"backend", "add", "web", "web1", "--ip", "1.1.1.1", "--port", "80x"}),
              "backend add: --port needs a whole number, not '80x'");
    EXPECT_EQ(usage_error_of({"backend", "add", "web", "web1", "--ip", "1.1.1.1", "--port", " 80"}),
              "backend add: --port needs a whole number, not ' 80'");
    EXPECT_EQ(usage_error_of({"backend", "add", "web", "web1", "--ip", "1.1.1.1", "--port", "+80"}),
              "backend add: --port needs a whole number, not '+80'");
    EXPECT_EQ(usage_error_of({"backend", "set", "web", "web1", "--weight", "1.5"}),
              "backend set: --weight needs a whole number, not '1.5'");
    EXPECT_EQ(usage_error_of({"backend", "set", "web", "web1", "--priority", "high"}),
              "backend set: --priority needs a whole number, not 'high'");
    EXPECT_EQ(usage_error_of({"backend", "set", "web", "web1", "--priority", ""}),
              "backend set: --priority needs a whole number, not ''");
    EXPECT_EQ(usage_error_of({"backend", "add", "web", "web1", "--ip", "1.1.1.1", "--port", "0x50"}),
              "backend add: --port needs a whole number, not '0x50'");
    EXPECT_EQ(usage_error_of({"backend", "set", "web", "web1", "--weight", "99999999999999999999"}),
              "backend set: --weight 99999999999999999999 is out of range");
}

TEST(CliCommandLine, FarmAddWithProtectionAndTimeouts) {
    expect_request({"farm", "add", "web", "--vip", "192.0.2.1", "--port", "80", "--proto", "tcp", "--allow",
                    "198.18.0.0/15,192.0.2.7", "--deny", "198.18.7.0/24", "--rate-limit", "50", "--rate-burst", "20",
                    "--timeout-unanswered", "5", "--timeout-tcp", "600", "--timeout-tcp-time-wait", "60",
                    "--timeout-tcp-close", "3", "--timeout-udp", "30"},
                   "farm.add",
                   {{"name", "web"}, {"vip", "192.0.2.1"}, {"port", "80"}, {"proto", "tcp"},
                    {"allow", "198.18.0.0/15,192.0.2.7"}, {"deny", "198.18.7.0/24"}, {"rate_limit", 50},
                    {"rate_burst", 20}, {"timeout_unanswered", 5}, {"timeout_tcp", 600},
                    {"timeout_tcp_time_wait", 60}, {"timeout_tcp_close", 3}, {"timeout_udp", 30}});
}

TEST(CliCommandLine, FarmSetEmptyListClearsIt) {
    expect_request({"farm", "set", "web", "--allow", "", "--deny", ""}, "farm.set",
                   {{"name", "web"}, {"allow", ""}, {"deny", ""}});
}

TEST(CliCommandLine, FarmSetTimeoutDefaultSendsNull) {
    expect_request({"farm", "set", "web", "--timeout-tcp", "default", "--timeout-udp", "60"}, "farm.set",
                   {{"name", "web"}, {"timeout_tcp", nullptr}, {"timeout_udp", 60}});
}

TEST(CliCommandLine, FarmTimeoutsAndRatesAreParsedStrictly) {
    EXPECT_EQ(usage_error_of({"farm", "set", "web", "--timeout-tcp", "10s"}),
              "farm set: --timeout-tcp needs a whole number, not '10s'");
    EXPECT_EQ(usage_error_of({"farm", "add", "web", "--vip", "1.1.1.1", "--port", "1", "--proto", "tcp",
                              "--timeout-tcp", "default"}),
              "farm add: --timeout-tcp needs a whole number, not 'default'");
    EXPECT_EQ(usage_error_of({"farm", "set", "web", "--rate-limit", "many"}),
              "farm set: --rate-limit needs a whole number, not 'many'");
}

}  // namespace
}  // namespace xdplb::cli

namespace xdplb::cli {
namespace {

TEST(CliCommandLine, ApplyKeepsItsFileForLbctlAndSendsDryRun) {
    const CommandLine command_line = parse({"apply", "-f", "farms.json", "--dry-run"});
    const auto& request = std::get<api::Request>(command_line.action);
    EXPECT_EQ(request.command, "config.apply");
    EXPECT_EQ(request.args, json({{"dry_run", true}}));
    EXPECT_EQ(command_line.lbctl_args, json({{"file", "farms.json"}}));
}

TEST(CliCommandLine, ApplyWithoutDryRunSendsNoFlag) {
    const CommandLine command_line = parse({"apply", "--file", "farms.json"});
    EXPECT_EQ(std::get<api::Request>(command_line.action).args, json::object());
    EXPECT_EQ(command_line.lbctl_args, json({{"file", "farms.json"}}));
}

TEST(CliCommandLine, ApplyNeedsAFile) {
    EXPECT_EQ(usage_error_of({"apply", "--dry-run"}), "apply: --file FILE is missing");
    EXPECT_NE(usage_error_of({"apply", "-f", "a.json", "--dry-run=yes"}), "");
}

TEST(CliCommandLine, ExportWritesWhereLbctlIsTold) {
    const CommandLine command_line = parse({"export", "--output", "out.json"});
    EXPECT_EQ(std::get<api::Request>(command_line.action).command, "config.export");
    EXPECT_EQ(std::get<api::Request>(command_line.action).args, json::object());
    EXPECT_EQ(command_line.lbctl_args, json({{"output", "out.json"}}));
}

TEST(CliCommandLine, ApplyHelpShowsTheShortFlagAndTheSwitch) {
    const std::string help = help_of({"apply", "--help"});
    EXPECT_NE(help.find("-f, --file FILE"), std::string::npos);
    EXPECT_NE(help.find("[--dry-run]"), std::string::npos);
}

}  // namespace
}  // namespace xdplb::cli
