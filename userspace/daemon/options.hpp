// lbd's command line.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/socket_address.hpp"
#include "dataplane/map_writer.hpp"
#include "dataplane/program.hpp"
#include "daemon/vrrp_options.hpp"
#include "sync/sync_config.hpp"

namespace xdplb::daemon {

struct Options {
    std::optional<std::string> config_file;
    // --check-config FILE: validate FILE, report, and exit; nothing else is used.
    std::optional<std::string> check_config_file;
    std::vector<std::string> interfaces;
    std::string state_dir = "/var/lib/xdplb";
    std::string socket_path;
    std::string pin_dir;                    // where the maps are pinned, on a bpffs
    std::optional<std::string> bpf_object;  // none: the program built into lbd
    bool detach_on_exit = false;
    bool unload = false;  // remove the data plane and exit
    std::uint32_t conntrack_size = 0;
    std::uint32_t halfopen_size = 0;
    dataplane::Settings data_plane;  // SNAT ports and connection timeouts
    std::optional<std::string> metrics_listen;  // as prometheus-cpp binds it: "ADDR:PORT" or "[ADDR6]:PORT"
    std::optional<SocketAddress> api_listen;    // the API over TCP; none: the unix socket only
    std::optional<std::string> api_key_file;    // given exactly when api_listen is
    std::optional<ha::NodeConfig> vrrp;  // none: no VRRP
    std::optional<sync::SyncConfig> sync;  // none: no connection-state sync
    bool verbose = false;
};

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses argv. Returns nullopt after printing --help or --version to stdout;
// throws UsageError with one line on bad input.
std::optional<Options> parse_options(int argc, char** argv);

}  // namespace xdplb::daemon
