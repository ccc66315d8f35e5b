#include "daemon/sync_options.hpp"

#include <charconv>

#include "daemon/options.hpp"
#include "sync/sync_key.hpp"

namespace xdplb::daemon {

namespace po = boost::program_options;

namespace {

std::uint16_t parse_port(const std::string& text) {
    unsigned port = 0;
    const char* end = text.data() + text.size();
    auto [parsed_up_to, error] = std::from_chars(text.data(), end, port);
    if (error != std::errc() || parsed_up_to != end || port < 1 || port > 65535) {
        throw UsageError("--sync-port must be an integer from 1 to 65535, got '" + text + "'");
    }
    return static_cast<std::uint16_t>(port);
}

std::vector<IpAddress> parse_peers(const std::vector<std::string>& texts) {
    std::vector<IpAddress> peers;
    for (const std::string& text : texts) {
        const std::optional<IpAddress> peer = IpAddress::parse(text);
        if (!peer) throw UsageError("--sync-peer '" + text + "' is not an address");
        if (!peers.empty() && peer->family() != peers.front().family()) {
            throw UsageError("--sync-peer " + text + ": all sync peers must be of one family");
        }
        peers.push_back(*peer);
    }
    return peers;
}

}  // namespace

void add_sync_options(po::options_description& described) {
    described.add_options()
        ("sync-peer", po::value<std::vector<std::string>>()->value_name("ADDR"), "Sync connection state with the lbd at ADDR (repeat for each peer; docs/state-sync.md): as VRRP master, send it this node's connections; as backup, install its. Needs --vrrp-iface and --sync-key-file.")
        ("sync-key-file", po::value<std::string>()->value_name("FILE"), "The key (at least 16 bytes; the same file on every peer) that signs and checks every sync datagram.")
        ("sync-port", po::value<std::string>()->value_name("N"), "UDP port of the sync datagrams, here and on the peers (default 8787).");
}

std::optional<sync::SyncConfig> parse_sync_options(const po::variables_map& values) {
    if (!values.count("sync-peer")) {
        for (const char* flag : {"sync-key-file", "sync-port"}) {
            if (values.count(flag)) throw UsageError(std::string("--") + flag + " needs --sync-peer");
        }
        return std::nullopt;
    }
    if (!values.count("vrrp-iface")) throw UsageError("--sync-peer needs --vrrp-iface: the VRRP master sends");
    if (!values.count("sync-key-file")) throw UsageError("--sync-peer needs --sync-key-file");
    sync::SyncConfig config;
    config.peers = parse_peers(values["sync-peer"].as<std::vector<std::string>>());
    config.key_file = values["sync-key-file"].as<std::string>();
    try {
        sync::SyncKey::from_file(config.key_file);
    } catch (const sync::SyncError& error) {
        throw UsageError(std::string("--sync-key-file: ") + error.what());
    }
    if (values.count("sync-port")) config.port = parse_port(values["sync-port"].as<std::string>());
    return config;
}

}  // namespace xdplb::daemon
