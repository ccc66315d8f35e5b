#include "cli/commands.hpp"

#include <algorithm>

namespace xdplb::cli {

namespace {

// farm add and farm set share their options; only add needs some, only set can unset.
enum class FarmUse { create, change };

// How a farm chooses backends: the scheduler, its hash key, persistence.
std::vector<OptionSpec> scheduling_options(FarmUse use) {
    OptionSpec hash_key{"hash-key", "hash_key", "srcip|srcip-srcport|5tuple", ValueKind::text, false,
                        "With --scheduler hash: the fields hashed. srcip (the default) sends each "
                        "client address to one backend; srcip-srcport each client socket; 5tuple "
                        "each connection."};
    if (use == FarmUse::change) {
        hash_key = {"hash-key", "hash_key", "srcip|srcip-srcport|5tuple|none", ValueKind::text_or_none, false,
                    "With --scheduler hash: the fields hashed (see farm add). none returns to the "
                    "default, srcip, and is needed to leave the hash scheduler after choosing a "
                    "key."};
    }
    return {
        {"scheduler", "scheduler", "weight|rr|hash", ValueKind::text, false,
         "How a backend is chosen for a new connection, always among the backends of the serving "
         "priority and in proportion to their weights. weight (the default) draws at random; rr "
         "takes them in turns, spread evenly; hash hashes the fields of --hash-key into a "
         "consistent-hashing (Maglev) table, so that one key always goes to the same backend and "
         "a change of backends moves few keys."},
        hash_key,
        {"persistence", "persistence", "srcip|none", ValueKind::text, false,
         "srcip sends a client's new connections to the backend of its previous ones, while that "
         "backend takes new connections and the client has opened one within --persist-ttl. none "
         "(the default) lets the scheduler choose every time."},
        {"persist-ttl", "persist_ttl", "SECONDS", ValueKind::number, false,
         "How long a client's persistence lasts after its last new connection, 1-86400 (default "
         "300)."},
    };
}

std::vector<OptionSpec> protection_options() {
    return {
        {"allow", "allow", "CIDR[,CIDR]...", ValueKind::text, false,
         "Only sources in these prefixes (of the VIP's family, up to 1024) may open connections; an "
         "address alone is one host. An empty value clears the list: every source may."},
        {"deny", "deny", "CIDR[,CIDR]...", ValueKind::text, false,
         "Sources in these prefixes (up to 1024) may not open connections, even if allowed. An empty "
         "value clears the list. Established connections are never cut by either list."},
        {"rate-limit", "rate_limit", "N", ValueKind::number, false,
         "New connections per second that one source address may open, 0-1000000; 0 (the default) "
         "sets no limit. Those above it are dropped."},
        {"rate-burst", "rate_burst", "N", ValueKind::number, false,
         "How many connections a source may open at once on top of --rate-limit before the rate "
         "applies, 0-1000000 (default 0)."},
    };
}

// The farm's own values for lbd's --timeout-* options; farm set takes
// "default" to return to lbd's.
std::vector<OptionSpec> timeout_options(FarmUse use) {
    const ValueKind kind = use == FarmUse::create ? ValueKind::number : ValueKind::number_or_default;
    const std::string value_name = use == FarmUse::create ? "SECONDS" : "SECONDS|default";
    const std::string tail = use == FarmUse::create ? " Default: lbd's option of the same name."
                                                    : " default returns to lbd's option of the same name.";
    const std::pair<const char*, const char*> timeouts[] = {
        {"timeout-unanswered", "connections not confirmed yet (TCP handshake not completed) or never answered"},
        {"timeout-tcp", "open TCP connections"},
        {"timeout-tcp-time-wait", "TCP connections that the backend closed first"},
        {"timeout-tcp-close", "TCP connections that the client closed first or that were reset"},
        {"timeout-udp", "answered UDP flows"},
    };
    std::vector<OptionSpec> options;
    for (const auto& [flag, meaning] : timeouts) {
        std::string key = flag;
        std::replace(key.begin(), key.end(), '-', '_');
        options.push_back({flag, key, value_name, kind, false,
                           std::string("Idle seconds (1-2592000) after which the farm's ") + meaning +
                               " are stale: their tuples may go to new connections." + tail});
    }
    return options;
}

// Who sets a health-check option: a farm for all its backends, or a backend for itself.
enum class CheckScope { farm, backend };

// The health-check options of farm add/set (all) and backend add/set (where
// and what to check). Changing, "default" returns to the default (a farm's)
// or to the farm's value (a backend's).
std::vector<OptionSpec> check_options(CheckScope scope, FarmUse use) {
    const bool change = use == FarmUse::change;
    const ValueKind text = change ? ValueKind::text_or_default : ValueKind::text;
    const ValueKind number = change ? ValueKind::number_or_default : ValueKind::number;
    const ValueKind seconds = change ? ValueKind::seconds_or_default : ValueKind::seconds;
    const std::string or_default = change ? "|default" : "";
    const std::string unset = scope == CheckScope::farm ? "Default: " : "Default: the farm's setting, else ";
    std::vector<OptionSpec> options = {
        {"check", "check", "TYPE" + or_default, text, false,
         "How each backend's health is checked: tcp, http, https, mysql, udp, cmd or none. tcp: the port accepts a connection. http, https: GET "
         "--check-path answers the expected status. mysql: the server's greeting is valid (and with "
         "--check-user, a login succeeds). udp: a datagram is answered. cmd: --check-command exits 0. "
         "none: not checked. A backend that fails --check-fall checks in a row is down: out of "
         "scheduling like one in maint; --check-rise successes bring it back. " + unset + "none."},
        {"check-port", "check_port", "PORT" + or_default, number, false,
         "The port checked, 1-65535. " + unset + "the backend's port (a backend without one: the farm's first port)."},
        {"check-send", "check_send", "STRING" + or_default, text, false,
         "tcp and udp: the text sent once connected (udp: the datagram; default empty)."},
        {"check-expect-body", "check_expect_body", "STRING" + or_default, text, false,
         "tcp, udp: the answer must contain this text; http, https: the body must."},
        {"check-path", "check_path", "PATH" + or_default, text, false, "http, https: the path requested. " + unset + "/."},
        {"check-expect", "check_expect", "STATUS" + or_default, number, false,
         "http, https: the status the answer must have, 100-599. " + unset + "any 2xx or 3xx."},
        {"check-host", "check_host", "HOST" + or_default, text, false,
         "http, https: the Host header (and the TLS server name). " + unset + "the backend's address."},
        {"check-user", "check_user", "USER" + or_default, text, false,
         "mysql: log in as this user (mysql_native_password) and quit, instead of only reading the "
         "greeting, which the server counts as an aborted connection."},
        {"check-password-file", "check_password_file", "FILE" + or_default, text, false,
         "mysql: the absolute path of a file whose first line is the password of --check-user; "
         "read at each check. Without it, the user logs in without a password."},
        {"check-command", "check_command", "CMD" + or_default, text, false,
         "cmd: a command run by /bin/sh, with the words HOST and PORT replaced by the backend's "
         "address and checked port (Nagios-plugin style: exit 0 is healthy). The timeout kills it."},
    };
    if (scope == CheckScope::backend) return options;
    const std::vector<OptionSpec> farm_only = {
        {"check-interval", "check_interval", "SECONDS" + or_default, seconds, false,
         "Seconds between the starts of two checks of a backend, 0.1-3600, decimals allowed (default 2)."},
        {"check-timeout", "check_timeout", "SECONDS" + or_default, seconds, false,
         "Seconds a check may take, 0.01 up to --check-interval (default 1). A backend fails "
         "within fall x interval + timeout."},
        {"check-rise", "check_rise", "N" + or_default, number, false,
         "Successes in a row that bring a down backend up, 1-100 (default 2)."},
        {"check-fall", "check_fall", "N" + or_default, number, false,
         "Failures in a row that take a backend down, 1-100 (default 3)."},
        {"on-down", "on_down", "keep|cut" + or_default, text, false,
         "What happens to a backend's established connections when it goes down: keep (the "
         "default) lets them run; cut removes them, so their next packets are reset."},
        {"slowstart", "slowstart", "SECONDS" + or_default, number, false,
         "A backend that comes back up takes a share of new connections that grows from 0 to its "
         "weight's over this many seconds, 0-3600 (default 0: at once)."},
    };
    options.insert(options.end(), farm_only.begin(), farm_only.end());
    return options;
}

std::vector<OptionSpec> farm_options(FarmUse use) {
    const bool needed = use == FarmUse::create;
    std::vector<OptionSpec> options = {
        {"vip", "vip", "ADDR", ValueKind::text, needed,
         "The virtual IPv4 or IPv6 address that clients connect to."},
        {"port", "port", "PORTS", ValueKind::text, needed,
         "The ports that clients connect to, 1-65535: one port, or a list of ports and ranges "
         "such as 80,443,8000-8100. No port of the VIP and protocol may belong to another farm."},
        {"proto", "proto", "tcp|udp", ValueKind::text, needed, "The transport protocol."},
        {"mode", "mode", "snat|dnat|dsr", ValueKind::text, false,
         "snat (the default) rewrites the client's source address to the balancer's, so that "
         "replies return through the balancer whatever the backends' routes. dnat rewrites only "
         "the destination: backends see the client's address and must route replies back "
         "through the balancer. dsr (direct server return) rewrites only the destination MAC "
         "address: each backend holds the VIP on its loopback, gets the client's port, answers "
         "the client directly, and must be on a link of the balancer."},
    };
    for (OptionSpec& option : scheduling_options(use)) {
        options.push_back(std::move(option));
    }
    if (use == FarmUse::create) {
        options.push_back({"snat-addr", "snat_addr", "ADDR[,ADDR]...", ValueKind::text, false,
                           "The source addresses (up to 8) that snat mode gives to packets "
                           "towards the backends; connections are spread over them. Default: "
                           "the address of the interface they leave by."});
    } else {
        options.push_back({"snat-addr", "snat_addr", "ADDR[,ADDR]...|none", ValueKind::text_or_none,
                           false,
                           "The source addresses (up to 8) that snat mode gives to packets "
                           "towards the backends; none returns to the address of the interface "
                           "they leave by."});
    }
    for (OptionSpec& option : protection_options()) options.push_back(std::move(option));
    for (OptionSpec& option : timeout_options(use)) options.push_back(std::move(option));
    for (OptionSpec& option : check_options(CheckScope::farm, use)) options.push_back(std::move(option));
    return options;
}

std::vector<OptionSpec> backend_tuning_options() {
    return {
        {"weight", "weight", "N", ValueKind::number, false,
         "The backend's share of new connections relative to the other backends of its "
         "priority, 0-1000000 (default 1). 0 gives it no new connections."},
        {"priority", "priority", "N", ValueKind::number, false,
         "1-1000 (default 1). New connections go only to the backends with the lowest "
         "priority number among those that are up; the others stand by."},
        {"state", "state", "up|drain|maint", ValueKind::text, false,
         "up (the default) takes new connections. drain takes no new connections while its "
         "established ones continue; maint does the same and marks the backend as under "
         "maintenance."},
        {"maxconn", "maxconn", "N", ValueKind::number, false,
         "The most connections the backend takes, 0-100000000 (default 0: no cap). New "
         "connections beyond it go to the other backends, or are refused when all are full."},
    };
}

std::vector<OptionSpec> backend_add_options() {
    std::vector<OptionSpec> options = {
        {"ip", "ip", "ADDR", ValueKind::text, true, "The address of the backend, of the same family as the VIP."},
        {"port", "port", "PORT", ValueKind::number, false,
         "The port of the backend, 1-65535. Default: the port that the client connected to, "
         "which is the only choice in a dsr farm (dsr cannot change ports)."},
    };
    for (OptionSpec& option : backend_tuning_options()) {
        options.push_back(std::move(option));
    }
    for (OptionSpec& option : check_options(CheckScope::backend, FarmUse::create)) options.push_back(std::move(option));
    return options;
}

std::vector<OptionSpec> backend_set_options() {
    std::vector<OptionSpec> options = backend_tuning_options();
    for (OptionSpec& option : check_options(CheckScope::backend, FarmUse::change)) options.push_back(std::move(option));
    return options;
}

const OperandSpec kFarmName{"NAME", "name", true};
const OperandSpec kBackendFarm{"FARM", "farm", true};
const OperandSpec kBackendName{"NAME", "name", true};

std::vector<CommandSpec> make_commands() {
    return {
        {"farm add", "farm.add", "create a farm",
         "Creates the farm NAME: connections of protocol PROTO to ADDR on PORTS are balanced over "
         "the farm's backends, which 'lbctl backend add' adds. NAME is 1-32 characters of "
         "A-Z a-z 0-9 _ . -",
         {kFarmName},
         farm_options(FarmUse::create),
         {"lbctl farm add web --vip 192.0.2.10 --port 443 --proto tcp",
          "lbctl farm add media --vip 192.0.2.10 --port 80,8000-8100 --proto tcp",
          "lbctl farm add cache --vip 192.0.2.11 --port 80 --proto tcp --scheduler hash",
          "lbctl farm add db --vip 192.0.2.2 --port 80 --proto tcp --persistence srcip",
          "lbctl farm add shop --vip 192.0.2.12 --port 80 --proto tcp --check http",
          "lbctl farm add sql --vip 192.0.2.13 --port 3306 --proto tcp --check tcp"}},
        {"farm set", "farm.set", "change a farm",
         "Changes the given fields of the farm NAME; the others keep their values.",
         {kFarmName},
         farm_options(FarmUse::change),
         {"lbctl farm set web --mode dnat", "lbctl farm set web --snat-addr none",
          "lbctl farm set media --mode dsr",
          "lbctl farm set cache --hash-key srcip-srcport",
          "lbctl farm set web --persistence srcip --persist-ttl 600",

          "lbctl farm set web --deny 198.18.7.0/24 --rate-limit 50 --rate-burst 20",
          "lbctl farm set web --allow '' --timeout-tcp default",
          "lbctl farm set web --check tcp --check-rise 3 --check-fall 2",
          "lbctl farm set shop --check-path /health --check-interval 0.5",
          "lbctl farm set sql --check mysql --check-user monitor",
          "lbctl farm set sql --check-password-file /etc/xdplb/monitor.pass",
          "lbctl farm set sql --on-down cut --slowstart 30",
          "lbctl farm set web --check cmd --check-command 'check_http -H HOST'"}},
        {"farm del", "farm.del", "delete a farm",
         "Deletes the farm NAME together with its backends.",
         {kFarmName},
         {},
         {}},
        {"farm list", "farm.list", "list the farms",
         "Lists every farm with its address, protocol, mode and number of backends.",
         {},
         {},
         {}},
        {"farm show", "farm.show", "show a farm and its backends",
         "Shows the settings of the farm NAME and each of its backends, with each backend's "
         "health (up, down, or unknown before its first result or without a check), since when, "
         "and the last check's result.",
         {kFarmName},
         {},
         {}},
        {"backend add", "backend.add", "add a backend to a farm",
         "Adds the backend NAME, at ADDR, to the farm FARM. NAME is unique within the farm and "
         "follows the same rules as farm names.",
         {kBackendFarm, kBackendName},
         backend_add_options(),
         {"lbctl backend add web web1 --ip 10.0.0.11 --port 8443 --weight 2",
          "lbctl backend add db db1 --ip 10.0.0.21 --maxconn 500"}},
        {"backend set", "backend.set", "change a backend",
         "Changes the weight, priority, state, connection cap or health-check settings of the "
         "backend NAME of the farm FARM; what is not given keeps its value, and a check option set "
         "to default returns to the farm's. Setting the state to drain takes a backend out of "
         "service without breaking its connections; a drained backend is still checked.",
         {kBackendFarm, kBackendName},
         backend_set_options(),
         {"lbctl backend set web web1 --state drain", "lbctl backend set web web2 --check-port 8080",
          "lbctl backend set web web2 --check-port default"}},
        {"backend del", "backend.del", "remove a backend from a farm",
         "Removes the backend NAME from the farm FARM.",
         {kBackendFarm, kBackendName},
         {},
         {}},
        {"stats", "stats", "show traffic counters and rates",
         "Shows, for every farm or only for FARM, and for each of its backends, the connections "
         "and the packets and bytes (of the IP packets, headers included) sent towards the "
         "backends and back to the clients since it was created, each with its rate: new "
         "connections, packets and bits per second, averaged over the last 5 seconds of the "
         "counters, which lbd samples every second (the first line says over how long). Without "
         "FARM it also shows, by reason, how many packets the balancer passed on to the host or "
         "dropped, and how many per second (only the reasons that have counted a packet since "
         "lbd started).",
         {{"FARM", "farm", false}},
         {},
         {"lbctl stats web"}},
        {"sessions", "sessions", "list tracked connections and persistence entries",
         "Lists the connections the balancer tracks, of every farm or only of FARM: client, "
         "virtual address, backend, the addresses the backend sees (the SNAT address and port "
         "in snat mode), state and idle time; then the persistence entries: which backend a "
         "source sticks to and for how much longer. At most 1000 of each are listed; the counts "
         "cover all.",
         {{"FARM", "farm", false}},
         {{"backend", "backend", "NAME", ValueKind::text, false,
           "Only the connections and entries of this backend of FARM."},
          {"client", "client", "ADDR", ValueKind::text, false,
           "Only the connections from this client address, and its persistence entries."}},
         {"lbctl sessions web --backend web1", "lbctl sessions --client 192.0.2.7"}},
        {"sessions flush", "sessions.flush", "cut the connections of a farm or backend",
         "Removes the tracked connections (both directions) and persistence entries of the farm "
         "FARM, or only those of one of its backends. The next packet of a removed TCP "
         "connection finds no tracked flow and reaches the balancer's own stack, which answers "
         "it with a reset: the client sees the connection cut. A persistent source chooses a "
         "backend afresh.",
         {{"FARM", "farm", true}},
         {{"backend", "backend", "NAME", ValueKind::text, false,
           "Only the connections and entries of this backend."}},
         {"lbctl sessions flush web --backend web1"}},
        {"trace", "trace", "show each packet's decision as it happens",
         "Shows, as packets arrive, what the balancer decides for each: when it arrived, on which "
         "interface, its protocol, source and destination as it arrived, its farm and the backend "
         "chosen (- when none), the verdict (redirect, tx, pass, drop or aborted) and why "
         "(new_connection, established, or one of the pass_ and drop_ reasons of lbctl stats), and "
         "the frame's length. Only the packets of FARM when it is given; else every packet, those "
         "of no farm too. Runs until interrupted (Ctrl-C), or until --count events or --duration "
         "seconds. The balancer traces only while someone watches; a busy one may drop events "
         "for a slow watcher, and says how many (lost N events). With --json, one object per "
         "event and line.",
         {{"FARM", "farm", false}},
         {{"count", "count", "N", ValueKind::number, false, "Stop after N events, 1-1000000000."},
          {"duration", "duration", "SECONDS", ValueKind::seconds, false,
           "Stop after this many seconds, decimals allowed, up to 86400."}},
         {"lbctl trace", "lbctl trace web --count 20", "lbctl --json trace web --duration 10"}},
        {"vrrp status", "vrrp.status", "show this node's VRRP state",
         "Shows the VRRP virtual router lbd runs (lbd --vrrp-iface, docs/vrrp.md): its interface "
         "and VRID, this node's state (init, backup, master or fault) and priority, the master's "
         "address and advert interval, the virtual addresses, and the connection-state sync "
         "(lbd --sync-peer, docs/state-sync.md): none, resyncing (this node waits for its peers' "
         "connections and may not preempt), in_sync or alone (no peer answered); how long ago "
         "a peer's last datagram came; entries received, sent and rejected. An error when lbd "
         "runs without VRRP.",
         {},
         {},
         {"lbctl vrrp status", "lbctl --json vrrp status"}},
        {"export", "config.export", "print the whole configuration as a config file",
         "Prints every farm and backend with its settings, in the format that lbd --config reads "
         "and lbctl apply -f applies (fields left at their default are left out), so that export, "
         "then apply of the same file, changes nothing.",
         {},
         {{"output", "output", "FILE", ValueKind::text, false, "Write to FILE instead of standard output.", 0,
           true}},
         {"lbctl export --output /etc/xdplb/farms.json"}},
        {"apply", "config.apply", "make the configuration that of a file",
         "Reads a config file (as lbd --config and lbd --check-config read it; a fault is shown as "
         "FILE:LINE: FIELD: PROBLEM), shows what differs from the running configuration (+ added, "
         "- removed, ~ changed field by field; farms and backends are matched by name) and makes "
         "the file's configuration the running one in one change: all of it or, when lbd refuses "
         "it, none. Farms and backends that keep their names keep their connections. Exits 0 when "
         "applied or when there was nothing to change, 1 when refused; with --dry-run, 0 whatever "
         "the differences.",
         {},
         {{"file", "file", "FILE", ValueKind::text, true, "The config file to apply.", 'f', true},
          {"dry-run", "dry_run", "", ValueKind::flag, false, "Show the differences only; change nothing."}},
         {"lbctl apply -f farms.json --dry-run", "lbctl apply -f farms.json"}},
    };
}

}  // namespace

const std::vector<CommandSpec>& all_commands() {
    static const std::vector<CommandSpec> commands = make_commands();
    return commands;
}

const std::vector<CommandGroup>& all_groups() {
    static const std::vector<CommandGroup> groups = {
        {"farm", "manage farms",
         "A farm is a balanced service: the clients' connections to its virtual address, port "
         "and protocol are spread over its backends. With --check, lbd checks each backend's "
         "health and takes a backend that fails out of scheduling until it passes again "
         "(docs/health-checks.md)."},
        {"backend", "manage the backends of a farm",
         "A backend is a server of a farm, which new connections go to according to its "
         "priority, weight and state, while its health check (if the farm has one) passes."},
        {"vrrp", "show VRRP high availability",
         "With VRRP, two lbd nodes share their virtual addresses: the master holds them, the "
         "backup takes them over when the master fails or stops (docs/vrrp.md)."},
    };
    return groups;
}

const CommandSpec* find_command(const std::string& path) {
    const auto& commands = all_commands();
    const auto found = std::find_if(commands.begin(), commands.end(),
                                    [&](const CommandSpec& command) { return command.path == path; });
    return found == commands.end() ? nullptr : &*found;
}

const CommandGroup* find_group(const std::string& name) {
    const auto& groups = all_groups();
    const auto found = std::find_if(groups.begin(), groups.end(),
                                    [&](const CommandGroup& group) { return group.name == name; });
    return found == groups.end() ? nullptr : &*found;
}

std::vector<const CommandSpec*> commands_of(const CommandGroup& group) {
    std::vector<const CommandSpec*> members;
    for (const CommandSpec& command : all_commands()) {
        if (command.path.starts_with(group.name + " ")) {
            members.push_back(&command);
        }
    }
    return members;
}

}  // namespace xdplb::cli
