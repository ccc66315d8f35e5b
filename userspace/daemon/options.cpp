#include "daemon/options.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iostream>

#include <boost/program_options.hpp>
#include <xdplb/abi.h>

#include "api/protocol.hpp"
#include "common/ip_address.hpp"
#include "daemon/sync_options.hpp"
#include "daemon/vrrp_options.hpp"
#include "model/farm.hpp"

namespace xdplb::daemon {

namespace po = boost::program_options;

namespace {

constexpr const char* kSynopsis = R"(NAME
    lbd - the xdplb load balancer daemon

SYNOPSIS
    lbd --check-config FILE
    lbd [--config FILE] --iface IF [--iface IF]... [--state-dir DIR] [--socket PATH]
        [--pin-dir DIR] [--bpf-object FILE] [--detach-on-exit]
        [--conntrack-size N] [--halfopen-size N] [--snat-ports MIN-MAX]
        [--timeout-KIND SECONDS]... [--metrics ADDR:PORT]
        [--api-listen ADDR:PORT --api-key-file FILE]
        [--vrrp-iface IF --vrid N --vip ADDR/PREFIX[@IF]... [--priority N]
         [--advert-int SECONDS] [--unicast-peer ADDR]... [--no-preempt]
         [--preempt-delay SECONDS] [--track-iface IF]... [--notify CMD]
         [--sync-peer ADDR... --sync-key-file FILE [--sync-port N]]]
        [--verbose]
    lbd --unload --iface IF [--iface IF]... [--state-dir DIR] [--pin-dir DIR]

DESCRIPTION
    lbd loads the xdplb XDP program, attaches it to the given interfaces (native
    mode where the driver supports it, generic mode otherwise, with a warning)
    and keeps its maps in line with the configured farms and backends. It runs
    in the foreground, logs to stderr, and is ready when its API socket accepts
    connections; lbctl(8) talks to it there.

    Every change is validated in full before it is applied; a refused change
    leaves the running configuration untouched. The configuration is saved
    atomically to DIR/state.json after each change and restored at start. A
    state file that cannot be read stops lbd; it is never overwritten. One lbd
    at a time may use DIR (it holds DIR/lbd.lock): a second one exits at once,
    touching nothing.

    SIGINT and SIGTERM stop lbd; SIGHUP is ignored: there is nothing to
    reload, every change goes through lbctl. However lbd ends (stopped, killed,
    crashed), the data plane stays: the program stays attached and its maps
    pinned in the --pin-dir, so established and new connections keep being
    forwarded. The next lbd adopts them: same program, same maps (the
    connection table with them), no second program attached. Started with a
    different program (--bpf-object, or a new lbd), it replaces the attached
    one atomically and keeps the maps; maps of another layout are refused.
    --detach-on-exit makes SIGINT and SIGTERM remove the data plane instead;
    lbd --unload removes one that an lbd left behind, and exits.

    lbd --check-config FILE validates a configuration file as --config would
    read it and exits, touching nothing; lbctl export writes the running
    configuration in that format and lbctl apply -f makes a file's
    configuration the running one, in one change.

    The API socket is root's (mode 0600). With --api-listen, lbd serves the
    same API on TCP, in cleartext, to clients that authenticate first with the
    key of --api-key-file (lbctl --connect ADDR:PORT --api-key-file FILE).
    Each listener serves at most 64 connections at once; a TCP connection may
    send 100 requests a second (bursts of 200), must authenticate within 5 s
    and is closed after 5 minutes without a request (docs/api.md).

    With --metrics, lbd serves Prometheus metrics at http://ADDR:PORT/metrics
    (docs/metrics.md): counters summed from the data path's per-CPU maps at
    each scrape, backend state and weights, connection-table occupancy, SNAT
    ports, drops by reason and health-check durations.

    With --vrrp-iface, lbd is one node of a VRRPv3 virtual router
    (docs/vrrp.md): the master holds the --vip addresses and announces them
    with gratuitous ARP or unsolicited neighbour advertisements; SIGTERM hands
    them over at once (a priority 0 advert). lbctl vrrp status shows the state.
    With --sync-peer, the master streams its connections to the peers, signed
    with the key of --sync-key-file, and a node that joins asks for all of them
    before it may preempt (docs/state-sync.md).

    The SNAT port range should not overlap net.ipv4.ip_local_port_range, so that
    translated connections never collide with the host's own sockets.

OPTIONS
)";

// One instance's pins apart from another's, as their state dirs are:
// /var/lib/xdplb pins in /sys/fs/bpf/xdplb/var-lib-xdplb. bpffs refuses
// names with dots: they become underscores.
std::string default_pin_dir(const std::string& state_dir) {
    std::string name = std::filesystem::absolute(state_dir).lexically_normal().relative_path().string();
    while (!name.empty() && name.back() == '/') name.pop_back();
    std::ranges::replace(name, '/', '-');
    std::ranges::replace(name, '.', '_');
    return "/sys/fs/bpf/xdplb/" + name;
}

// Each entry of the connection table takes some 140 bytes of kernel memory,
// allocated at load: 64 Mi entries are already about 9 GiB.
constexpr std::int64_t kMinConntrackSize = 2;  // one connection, two directions
constexpr std::int64_t kMaxConntrackSize = 64 * 1024 * 1024;

// --conntrack-size and --halfopen-size: entries of one of the connection tables.
std::uint32_t parse_table_size(const char* name, const std::string& text) {
    std::int64_t size = 0;
    const char* end = text.data() + text.size();
    auto [parsed_up_to, error] = std::from_chars(text.data(), end, size);
    if (error != std::errc() || parsed_up_to != end || size < kMinConntrackSize || size > kMaxConntrackSize) {
        throw UsageError(std::string("--") + name + " must be an integer from " + std::to_string(kMinConntrackSize) +
                         " to " + std::to_string(kMaxConntrackSize) + ", got '" + text + "'");
    }
    return static_cast<std::uint32_t>(size);
}

// The connection timeouts (struct xdplb_settings): an entry idle longer is
// stale and gives its tuple up to new connections.
struct TimeoutOption {
    const char* name;
    std::uint32_t dataplane::Settings::*field;
    const char* meaning;
};

constexpr TimeoutOption kTimeoutOptions[] = {
    {"timeout-unanswered", &dataplane::Settings::unanswered_timeout_s,
     "a connection not confirmed yet (its TCP handshake not completed) or never answered by its backend"},
    {"timeout-tcp", &dataplane::Settings::tcp_timeout_s, "an open TCP connection"},
    {"timeout-tcp-time-wait", &dataplane::Settings::tcp_time_wait_timeout_s,
     "a TCP connection the backend closed first (it holds TIME_WAIT)"},
    {"timeout-tcp-close", &dataplane::Settings::tcp_close_timeout_s,
     "a TCP connection that the client closed first or that was reset"},
    {"timeout-udp", &dataplane::Settings::udp_timeout_s, "a UDP flow the backend has answered"},
};

// The same range as a farm's own timeouts.
std::uint32_t parse_timeout(const char* name, const std::string& text) {
    std::int64_t seconds = 0;
    const char* end = text.data() + text.size();
    auto [parsed_up_to, error] = std::from_chars(text.data(), end, seconds);
    if (error != std::errc() || parsed_up_to != end || seconds < model::kMinTimeoutSeconds ||
        seconds > model::kMaxTimeoutSeconds) {
        throw UsageError(std::string("--") + name + " must be a number of seconds from " +
                         std::to_string(model::kMinTimeoutSeconds) + " to " + std::to_string(model::kMaxTimeoutSeconds) +
                         ", got '" + text + "'");
    }
    return static_cast<std::uint32_t>(seconds);
}

std::string to_text(const dataplane::SnatPortRange& range) {
    return std::to_string(range.min) + "-" + std::to_string(range.max);
}

dataplane::SnatPortRange parse_port_range(const std::string& text) {
    unsigned min = 0;
    unsigned max = 0;
    char dash = 0;
    char extra = 0;
    int fields = std::sscanf(text.c_str(), "%u%c%u%c", &min, &dash, &max, &extra);
    if (fields != 3 || dash != '-' || min < 1 || max > 65535 || min > max) {
        throw UsageError("--snat-ports must be MIN-MAX within 1-65535, got '" + text + "'");
    }
    return {static_cast<std::uint16_t>(min), static_cast<std::uint16_t>(max)};
}

// --metrics and --api-listen: an address and a port, "198.18.0.1:9842",
// "0.0.0.0:9842" or "[::1]:9842".
SocketAddress parse_listen_address(const char* name, const std::string& text) {
    std::optional<SocketAddress> address = SocketAddress::parse(text);
    if (!address) {
        throw UsageError(std::string("--") + name + " must be ADDR:PORT (IPv6: [ADDR]:PORT), port 1-65535, got '" +
                         text + "'");
    }
    return *address;
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv) {
    Options options;
    options.socket_path = api::kDefaultSocketPath;
    options.conntrack_size = XDPLB_DEFAULT_CONNTRACK_SIZE;
    // Read as text, checked below: program_options would turn -1 into 4294967295.
    std::string conntrack_size = std::to_string(options.conntrack_size);
    std::string snat_ports = to_text(options.data_plane.snat_ports);
    const std::string conntrack_size_help = "Size of the connection table in entries, " +
                                            std::to_string(kMinConntrackSize) + " to " +
                                            std::to_string(kMaxConntrackSize) +
                                            "; each connection takes two (default " + conntrack_size + ").";
    const std::string snat_ports_help = "Source ports SNAT may use (default " + snat_ports + ").";

    po::options_description described("", 80, 40);
    described.add_options()
        ("help,h", "Print this help and exit.")
        ("version", "Print the version and exit.")
        ("config", po::value<std::string>()->value_name("FILE"), "Start with the farms of FILE (JSON, as in configs/) instead of the saved state; ids of farms and backends that keep their names are kept.")
        ("check-config", po::value<std::string>()->value_name("FILE"), "Validate FILE as --config would read it (syntax, fields, and every rule a change must pass), print \"FILE: OK\" (exit 0) or its first fault as FILE:LINE: FIELD: PROBLEM (exit 1), and exit without touching the system.")
        ("iface", po::value<std::vector<std::string>>(&options.interfaces)->value_name("IF"), "Attach to interface IF (repeat for each interface that carries farm traffic: client side and backend side).")
        ("state-dir", po::value<std::string>(&options.state_dir)->value_name("DIR"), "Keep the state file in DIR (default /var/lib/xdplb).")
        ("socket", po::value<std::string>(&options.socket_path)->value_name("PATH"), "Serve the API on the unix socket PATH (default /run/xdplb/lbd.sock, mode 0600).")
        ("pin-dir", po::value<std::string>()->value_name("DIR"), "Pin the data plane's maps in DIR, on a bpffs; libxdp keeps its pins on the same bpffs (default /sys/fs/bpf/xdplb/ and the state dir's path, slashes turned to dashes and dots to underscores).")
        ("bpf-object", po::value<std::string>()->value_name("FILE"), "Load the XDP program from FILE (an xdplb.bpf.o) instead of the one built into lbd.")
        ("detach-on-exit", po::bool_switch(&options.detach_on_exit), "On SIGINT or SIGTERM, detach the program and unpin its maps: connections stop being forwarded.")
        ("unload", po::bool_switch(&options.unload), "Detach the xdplb program from the --iface interfaces, unpin its maps, and exit.")
        ("conntrack-size", po::value<std::string>(&conntrack_size)->value_name("N"), conntrack_size_help.c_str())
        ("halfopen-size", po::value<std::string>()->value_name("N"), "Size of the half-open table in entries, where connections wait until confirmed (a TCP handshake completed, a UDP flow's second packet) so that a flood of spoofed SYNs evicts only its own kind; each connection takes two. Default: a quarter of --conntrack-size (at least 2).")
        ("snat-ports", po::value<std::string>(&snat_ports)->value_name("MIN-MAX"), snat_ports_help.c_str())
        ("metrics", po::value<std::string>()->value_name("ADDR:PORT"), "Serve Prometheus metrics on http://ADDR:PORT/metrics ([ADDR]:PORT for IPv6; e.g. 127.0.0.1:9842). Default: none.")
        ("api-listen", po::value<std::string>()->value_name("ADDR:PORT"), "Serve the API on TCP too ([ADDR]:PORT for IPv6), in cleartext: put it on a management network or behind a TLS tunnel. Each connection must first authenticate with the key of --api-key-file. Default: none.")
        ("api-key-file", po::value<std::string>()->value_name("FILE"), "The API key for --api-listen: the first line of FILE, at least 16 printable characters; FILE must be readable by its owner only (mode 0600 or 0400).")
        ("verbose,v", po::bool_switch(&options.verbose), "Log debug messages too.");
    add_vrrp_options(described);
    add_sync_options(described);
    for (const TimeoutOption& timeout : kTimeoutOptions) {
        // program_options keeps its own copy of the description.
        std::string help = std::string("Idle time after which ") + timeout.meaning + " is stale (default " +
                           std::to_string(options.data_plane.*timeout.field) +
                           "); a farm's option of the same name overrides it for the farm's connections.";
        described.add_options()(timeout.name, po::value<std::string>()->value_name("SECONDS"), help.c_str());
    }

    po::variables_map values;
    try {
        po::store(po::command_line_parser(argc, argv).options(described).run(), values);
        po::notify(values);
    } catch (const po::error& error) {
        throw UsageError(error.what());
    }
    if (values.count("help")) {
        std::cout << kSynopsis << described << "\nSEE ALSO\n    lbctl(8)\n";
        return std::nullopt;
    }
    if (values.count("version")) {
        std::cout << "lbd " << XDPLB_VERSION << "\n";
        return std::nullopt;
    }
    if (values.count("config")) options.config_file = values["config"].as<std::string>();
    if (values.count("check-config")) {
        options.check_config_file = values["check-config"].as<std::string>();
        return options;
    }
    if (options.interfaces.empty()) throw UsageError("at least one --iface is required");
    options.pin_dir = values.count("pin-dir") ? values["pin-dir"].as<std::string>() : default_pin_dir(options.state_dir);
    if (values.count("bpf-object")) options.bpf_object = values["bpf-object"].as<std::string>();
    options.conntrack_size = parse_table_size("conntrack-size", conntrack_size);
    options.halfopen_size = values.count("halfopen-size")
                                ? parse_table_size("halfopen-size", values["halfopen-size"].as<std::string>())
                                : dataplane::default_halfopen_size(options.conntrack_size);
    options.data_plane.snat_ports = parse_port_range(snat_ports);
    if (values.count("metrics")) {
        const std::string& metrics = values["metrics"].as<std::string>();
        parse_listen_address("metrics", metrics);
        options.metrics_listen = metrics;
    }
    if (values.count("api-listen")) {
        options.api_listen = parse_listen_address("api-listen", values["api-listen"].as<std::string>());
    }
    if (values.count("api-key-file")) options.api_key_file = values["api-key-file"].as<std::string>();
    if (options.api_listen.has_value() != options.api_key_file.has_value()) {
        throw UsageError(options.api_listen ? "--api-listen needs --api-key-file: TCP clients must prove they hold the key"
                                            : "--api-key-file is for --api-listen, which is not given");
    }
    for (const TimeoutOption& timeout : kTimeoutOptions) {
        if (values.count(timeout.name)) {
            options.data_plane.*timeout.field = parse_timeout(timeout.name, values[timeout.name].as<std::string>());
        }
    }
    options.vrrp = parse_vrrp_options(values);
    options.sync = parse_sync_options(values);
    return options;
}

}  // namespace xdplb::daemon
