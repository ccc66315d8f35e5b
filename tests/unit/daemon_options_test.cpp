#include "daemon/options.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include <xdplb/abi.h>

#include "temp_directory.hpp"

namespace xdplb::daemon {
namespace {

// lbd --iface eth0 ARGUMENTS...
Options parse(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"lbd", "--iface", "eth0"});
    std::vector<char*> argv;
    for (std::string& argument : arguments) argv.push_back(argument.data());
    std::optional<Options> options = parse_options(static_cast<int>(argv.size()), argv.data());
    EXPECT_TRUE(options.has_value());
    return options.value_or(Options{});
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

TEST(DaemonOptions, ConntrackSizeDefaultsToTheDataPlanesDefault) {
    EXPECT_EQ(parse({}).conntrack_size, std::uint32_t{XDPLB_DEFAULT_CONNTRACK_SIZE});
}

TEST(DaemonOptions, AcceptsConntrackSizesAtTheLimits) {
    EXPECT_EQ(parse({"--conntrack-size", "2"}).conntrack_size, 2u);
    EXPECT_EQ(parse({"--conntrack-size", "67108864"}).conntrack_size, 67108864u);
    EXPECT_EQ(parse({"--conntrack-size=4096"}).conntrack_size, 4096u);
}

TEST(DaemonOptions, RefusesConntrackSizesOutsideTheLimits) {
    for (const std::string size : {"-1", "1", "0", "67108865", "4294967295", "4294967298"}) {
        EXPECT_EQ(usage_error_of({"--conntrack-size", size}),
                  "--conntrack-size must be an integer from 2 to 67108864, got '" + size + "'");
    }
}

TEST(DaemonOptions, RefusesConntrackSizesThatAreNotIntegers) {
    for (const std::string size : {"many", "4096x", "1e6", " 4096", "+4096", "4096.0"}) {
        EXPECT_EQ(usage_error_of({"--conntrack-size=" + size}),
                  "--conntrack-size must be an integer from 2 to 67108864, got '" + size + "'");
    }
}

TEST(DaemonOptions, HalfOpenSizeDefaultsToAQuarterOfTheConnectionTable) {
    EXPECT_EQ(parse({}).halfopen_size, std::uint32_t{XDPLB_DEFAULT_CONNTRACK_SIZE / 4});
    EXPECT_EQ(parse({"--conntrack-size", "4096"}).halfopen_size, 1024u);
    EXPECT_EQ(parse({"--conntrack-size", "7"}).halfopen_size, 2u);
}

TEST(DaemonOptions, HalfOpenSizeCanBeSetWithinTheLimits) {
    EXPECT_EQ(parse({"--halfopen-size", "2"}).halfopen_size, 2u);
    EXPECT_EQ(parse({"--conntrack-size", "4096", "--halfopen-size", "67108864"}).halfopen_size, 67108864u);
    for (const std::string size : {"1", "0", "-2", "67108865", "some", "64k"}) {
        EXPECT_EQ(usage_error_of({"--halfopen-size", size}),
                  "--halfopen-size must be an integer from 2 to 67108864, got '" + size + "'");
    }
}

TEST(DaemonOptions, TimeoutsDefaultToTheDataPlanesDefaults) {
    const dataplane::Settings defaults;
    const Options options = parse({});
    EXPECT_EQ(options.data_plane.unanswered_timeout_s, defaults.unanswered_timeout_s);
    EXPECT_EQ(options.data_plane.tcp_timeout_s, defaults.tcp_timeout_s);
    EXPECT_EQ(options.data_plane.tcp_time_wait_timeout_s, defaults.tcp_time_wait_timeout_s);
    EXPECT_EQ(options.data_plane.tcp_close_timeout_s, defaults.tcp_close_timeout_s);
    EXPECT_EQ(options.data_plane.udp_timeout_s, defaults.udp_timeout_s);
}

TEST(DaemonOptions, EveryTimeoutCanBeSet) {
    const Options options = parse({"--timeout-unanswered", "5", "--timeout-tcp", "86400", "--timeout-tcp-time-wait",
                                   "60", "--timeout-tcp-close=3", "--timeout-udp", "30"});
    EXPECT_EQ(options.data_plane.unanswered_timeout_s, 5u);
    EXPECT_EQ(options.data_plane.tcp_timeout_s, 86400u);
    EXPECT_EQ(options.data_plane.tcp_time_wait_timeout_s, 60u);
    EXPECT_EQ(options.data_plane.tcp_close_timeout_s, 3u);
    EXPECT_EQ(options.data_plane.udp_timeout_s, 30u);
}

TEST(DaemonOptions, RefusesTimeoutsThatAreNotPositiveSecondsWithinAMonth) {
    for (const std::string value : {"0", "-1", "2592001", "ten", "1.5"}) {
        EXPECT_EQ(usage_error_of({"--timeout-udp=" + value}),
                  "--timeout-udp must be a number of seconds from 1 to 2592000, got '" + value + "'");
    }
}

TEST(DaemonOptions, SnatPortsDefaultToTheDataPlanesDefault) {
    const dataplane::SnatPortRange defaults;
    const Options options = parse({});
    EXPECT_EQ(options.data_plane.snat_ports.min, defaults.min);
    EXPECT_EQ(options.data_plane.snat_ports.max, defaults.max);
}

TEST(DaemonOptions, ParsesSnatPorts) {
    const Options options = parse({"--snat-ports", "2000-3000"});
    EXPECT_EQ(options.data_plane.snat_ports.min, 2000);
    EXPECT_EQ(options.data_plane.snat_ports.max, 3000);
}

TEST(DaemonOptions, RefusesBadSnatPorts) {
    EXPECT_EQ(usage_error_of({"--snat-ports", "3000-2000"}),
              "--snat-ports must be MIN-MAX within 1-65535, got '3000-2000'");
}

TEST(DaemonOptions, MetricsAreOffUnlessAsked) { EXPECT_FALSE(parse({}).metrics_listen); }

TEST(DaemonOptions, ParsesMetricsAddresses) {
    EXPECT_EQ(parse({"--metrics", "127.0.0.1:9842"}).metrics_listen, "127.0.0.1:9842");
    EXPECT_EQ(parse({"--metrics", "0.0.0.0:1"}).metrics_listen, "0.0.0.0:1");
    EXPECT_EQ(parse({"--metrics", "[::1]:65535"}).metrics_listen, "[::1]:65535");
    EXPECT_EQ(parse({"--metrics", "[fd00::1]:9842"}).metrics_listen, "[fd00::1]:9842");
}

TEST(DaemonOptions, RefusesBadMetricsAddresses) {
    for (const char* bad : {"9842", ":9842", "localhost:9842", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0",
                            "127.0.0.1:65536", "127.0.0.1:98x", "::1:9842", "[127.0.0.1]:9842", "[::1]9842",
                            "[::1]:", "[]:9842"}) {
        EXPECT_NE(usage_error_of({"--metrics", bad}).find("--metrics must be ADDR:PORT"), std::string::npos) << bad;
    }
}

TEST(DaemonOptions, TheTcpApiIsOffUnlessAsked) {
    EXPECT_FALSE(parse({}).api_listen);
    EXPECT_FALSE(parse({}).api_key_file);
}

TEST(DaemonOptions, TheTcpApiTakesAnAddressAndAKeyFile) {
    const Options options = parse({"--api-listen", "[fd00::1]:9843", "--api-key-file", "/etc/xdplb/api.key"});
    ASSERT_TRUE(options.api_listen);
    EXPECT_EQ(options.api_listen->to_string(), "[fd00::1]:9843");
    EXPECT_EQ(options.api_key_file, "/etc/xdplb/api.key");
}

TEST(DaemonOptions, TheTcpApiNeedsItsKeyAndTheKeyItsListener) {
    EXPECT_EQ(usage_error_of({"--api-listen", "198.18.0.1:9843"}),
              "--api-listen needs --api-key-file: TCP clients must prove they hold the key");
    EXPECT_EQ(usage_error_of({"--api-key-file", "/k"}), "--api-key-file is for --api-listen, which is not given");
    EXPECT_EQ(usage_error_of({"--api-listen", "localhost:9843", "--api-key-file", "/k"}),
              "--api-listen must be ADDR:PORT (IPv6: [ADDR]:PORT), port 1-65535, got 'localhost:9843'");
}

// The VRRP flags.

// lbd --iface eth0 --vrrp-iface eth0 --vrid 7 --vip 198.18.0.10/24 ARGUMENTS...
ha::NodeConfig parse_router(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"--vrrp-iface", "eth0", "--vrid", "7", "--vip", "198.18.0.10/24"});
    return parse(arguments).vrrp.value_or(ha::NodeConfig{});
}

std::string router_error_of(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"--vrrp-iface", "eth0", "--vrid", "7", "--vip", "198.18.0.10/24"});
    return usage_error_of(arguments);
}

TEST(DaemonOptions, PinDirDefaultsToOneDirectoryPerStateDir) {
    EXPECT_EQ(parse({}).pin_dir, "/sys/fs/bpf/xdplb/var-lib-xdplb");
    EXPECT_EQ(parse({"--state-dir", "/srv/lb/a/"}).pin_dir, "/sys/fs/bpf/xdplb/srv-lb-a");
    EXPECT_EQ(parse({"--state-dir", "/srv//lb/./b"}).pin_dir, "/sys/fs/bpf/xdplb/srv-lb-b");
    EXPECT_EQ(parse({"--state-dir", "/tmp/lbd.x1Y2/state"}).pin_dir, "/sys/fs/bpf/xdplb/tmp-lbd_x1Y2-state");
    EXPECT_EQ(parse({"--pin-dir", "/mnt/bpf/lb"}).pin_dir, "/mnt/bpf/lb");
}

TEST(DaemonOptions, TheDataPlaneOutlivesLbdUnlessAsked) {
    const Options defaults = parse({});
    EXPECT_FALSE(defaults.detach_on_exit);
    EXPECT_FALSE(defaults.unload);
    EXPECT_FALSE(defaults.bpf_object.has_value());
    const Options asked = parse({"--detach-on-exit", "--unload", "--bpf-object", "/tmp/new.bpf.o"});
    EXPECT_TRUE(asked.detach_on_exit);
    EXPECT_TRUE(asked.unload);
    EXPECT_EQ(asked.bpf_object, "/tmp/new.bpf.o");
}

TEST(DaemonVrrpOptions, NoneWithoutVrrpIface) { EXPECT_FALSE(parse({}).vrrp.has_value()); }

TEST(DaemonVrrpOptions, DefaultsFollowRfc5798) {
    const ha::NodeConfig vrrp = parse_router({});
    EXPECT_EQ(vrrp.interface, "eth0");
    EXPECT_EQ(vrrp.router.vrid, 7);
    EXPECT_EQ(vrrp.router.priority, 100);
    EXPECT_EQ(vrrp.router.advert_interval, ha::Centiseconds(100));
    EXPECT_TRUE(vrrp.router.preempt);
    EXPECT_EQ(vrrp.router.preempt_delay, std::chrono::milliseconds(0));
    EXPECT_TRUE(vrrp.unicast_peers.empty());
    EXPECT_TRUE(vrrp.router.tracked_interfaces.empty());
    EXPECT_FALSE(vrrp.notify_command.has_value());
    ASSERT_EQ(vrrp.addresses.size(), 1u);
    EXPECT_EQ(vrrp.addresses[0].to_string(), "198.18.0.10/24");
}

TEST(DaemonVrrpOptions, TakesEveryFlag) {
    const ha::NodeConfig vrrp = parse_router({"--priority", "200", "--vip", "198.18.1.1/24@lb-back0", "--advert-int",
                                           "0.1", "--unicast-peer", "198.18.0.2", "--unicast-peer", "198.18.0.3",
                                           "--no-preempt", "--preempt-delay", "2.5", "--track-iface", "lb-back0",
                                           "--track-iface", "eth0", "--notify", "/usr/local/bin/on-vrrp"});
    EXPECT_EQ(vrrp.router.priority, 200);
    ASSERT_EQ(vrrp.addresses.size(), 2u);
    EXPECT_EQ(vrrp.addresses[1].address.to_string(), "198.18.1.1");
    EXPECT_EQ(vrrp.addresses[1].prefix_length, 24);
    EXPECT_EQ(vrrp.addresses[1].interface, "lb-back0");
    EXPECT_EQ(vrrp.router.advert_interval, ha::Centiseconds(10));
    ASSERT_EQ(vrrp.unicast_peers.size(), 2u);
    EXPECT_EQ(vrrp.unicast_peers[1].to_string(), "198.18.0.3");
    EXPECT_FALSE(vrrp.router.preempt);
    EXPECT_EQ(vrrp.router.preempt_delay, std::chrono::milliseconds(2500));
    EXPECT_EQ(vrrp.router.tracked_interfaces, (std::set<std::string>{"eth0", "lb-back0"}));
    EXPECT_EQ(vrrp.notify_command, "/usr/local/bin/on-vrrp");
}

TEST(DaemonVrrpOptions, TakesIpv6) {
    const ha::NodeConfig vrrp = parse({"--vrrp-iface", "eth0", "--vrid", "7", "--vip", "fd00::10/64", "--unicast-peer",
                                    "fe80::2"})
                                 .vrrp.value_or(ha::NodeConfig{});
    ASSERT_EQ(vrrp.addresses.size(), 1u);
    EXPECT_EQ(vrrp.addresses[0].to_string(), "fd00::10/64");
}

TEST(DaemonVrrpOptions, AdvertIntervalAndPreemptDelayAtTheirLimits) {
    EXPECT_EQ(parse_router({"--advert-int", "0.01"}).router.advert_interval, ha::Centiseconds(1));
    EXPECT_EQ(parse_router({"--advert-int", "40.95"}).router.advert_interval, ha::Centiseconds(4095));
    EXPECT_EQ(parse_router({"--advert-int", "3"}).router.advert_interval, ha::Centiseconds(300));
    EXPECT_EQ(parse_router({"--preempt-delay", "0"}).router.preempt_delay, std::chrono::milliseconds(0));
    EXPECT_EQ(parse_router({"--preempt-delay", "1000"}).router.preempt_delay, std::chrono::seconds(1000));
    EXPECT_EQ(parse_router({"--preempt-delay", "0.001"}).router.preempt_delay, std::chrono::milliseconds(1));
}

TEST(DaemonVrrpOptions, VrrpFlagsNeedVrrpIface) {
    EXPECT_EQ(usage_error_of({"--vrid", "7"}), "--vrid needs --vrrp-iface");
    EXPECT_EQ(usage_error_of({"--no-preempt"}), "--no-preempt needs --vrrp-iface");
    EXPECT_EQ(usage_error_of({"--vip", "198.18.0.10/24"}), "--vip needs --vrrp-iface");
}

TEST(DaemonVrrpOptions, VrrpIfaceNeedsVridAndAVip) {
    EXPECT_EQ(usage_error_of({"--vrrp-iface", "eth0", "--vip", "198.18.0.10/24"}), "--vrrp-iface needs --vrid");
    EXPECT_EQ(usage_error_of({"--vrrp-iface", "eth0", "--vrid", "7"}), "--vrrp-iface needs at least one --vip");
}

TEST(DaemonVrrpOptions, RefusesVridAndPriorityOutOf1To255) {
    for (const std::string value : {"0", "256", "-1", "x", "1.5", ""}) {
        EXPECT_EQ(usage_error_of({"--vrrp-iface", "eth0", "--vrid", value, "--vip", "198.18.0.10/24"}),
                  "--vrid must be an integer from 1 to 255, got '" + value + "'");
        EXPECT_EQ(router_error_of({"--priority", value}),
                  "--priority must be an integer from 1 to 255, got '" + value + "'");
    }
}

TEST(DaemonVrrpOptions, RefusesAdvertIntervalsOffTheCentisecondGrid) {
    for (const std::string value : {"0", "0.00", "0.001", "40.96", "41", "-1", ".5", "1.", "1e2", "x", " 1"}) {
        EXPECT_EQ(router_error_of({"--advert-int", value}),
                  "--advert-int must be 0.01 to 40.95 seconds in steps of 0.01, got '" + value + "'");
    }
}

TEST(DaemonVrrpOptions, RefusesPreemptDelaysOutOfRange) {
    for (const std::string value : {"1000.001", "-1", "0.0001", "soon"}) {
        EXPECT_EQ(router_error_of({"--preempt-delay", value}),
                  "--preempt-delay must be 0 to 1000 seconds, got '" + value + "'");
    }
}

TEST(DaemonVrrpOptions, RefusesBadVips) {
    EXPECT_EQ(router_error_of({"--vip", "198.18.0.11"}), "--vip '198.18.0.11' must be ADDR/PREFIX[@IF]");
    EXPECT_EQ(router_error_of({"--vip", "vip/24"}), "--vip 'vip/24' must be ADDR/PREFIX[@IF]: 'vip' is not an address");
    EXPECT_EQ(router_error_of({"--vip", "198.18.0.11/33"}), "--vip '198.18.0.11/33' needs a prefix length from 1 to 32");
    EXPECT_EQ(router_error_of({"--vip", "198.18.0.11/0"}), "--vip '198.18.0.11/0' needs a prefix length from 1 to 32");
    EXPECT_EQ(router_error_of({"--vip", "198.18.0.11/24@"}), "--vip '198.18.0.11/24@' names no valid interface after '@'");
    EXPECT_EQ(router_error_of({"--vip", "198.18.0.11/24@sixteen-chars-xx"}),
              "--vip '198.18.0.11/24@sixteen-chars-xx' names no valid interface after '@'");
    EXPECT_EQ(router_error_of({"--vip", "fd00::11/64"}),
              "--vip fd00::11/64: all VIPs of a virtual router must be of one family");
}

TEST(DaemonVrrpOptions, RefusesBadPeersInterfacesAndNotify) {
    EXPECT_EQ(router_error_of({"--unicast-peer", "peer"}), "--unicast-peer 'peer' is not an address");
    EXPECT_EQ(router_error_of({"--unicast-peer", "fd00::2"}), "--unicast-peer fd00::2 is not of the VIPs' family");
    EXPECT_EQ(router_error_of({"--track-iface", "sixteen-chars-xx"}),
              "--track-iface 'sixteen-chars-xx' is not a valid interface name");
    EXPECT_EQ(usage_error_of({"--vrrp-iface", "a/b", "--vrid", "7", "--vip", "198.18.0.10/24"}),
              "--vrrp-iface 'a/b' is not a valid interface name");
    EXPECT_EQ(router_error_of({"--notify", ""}), "--notify needs a command");
}

// A key file of `text` in a fresh directory.
class DaemonSyncOptions : public ::testing::Test {
protected:
    std::string key_file(const std::string& text) {
        const std::string path = (directory_.path() / "sync.key").string();
        std::ofstream(path) << text;
        return path;
    }

    // lbd --iface eth0 --vrrp-iface eth0 --vrid 7 --vip 198.18.0.10/24 ARGUMENTS...
    std::optional<sync::SyncConfig> parse_sync(std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), {"--vrrp-iface", "eth0", "--vrid", "7", "--vip", "198.18.0.10/24"});
        return parse(arguments).sync;
    }
    std::string sync_error_of(std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), {"--vrrp-iface", "eth0", "--vrid", "7", "--vip", "198.18.0.10/24"});
        return usage_error_of(arguments);
    }

    const std::string good_key = "sixteen bytes at least\n";

private:
    testing::TempDirectory directory_{"sync-options"};
};

TEST_F(DaemonSyncOptions, NoneWithoutSyncPeer) { EXPECT_FALSE(parse_sync({}).has_value()); }

TEST_F(DaemonSyncOptions, TakesPeersKeyFileAndPort) {
    const std::string key = key_file(good_key);
    const auto config = parse_sync({"--sync-peer", "198.18.1.2", "--sync-peer", "198.18.1.3", "--sync-key-file", key,
                                    "--sync-port", "9000"});
    ASSERT_TRUE(config.has_value());
    ASSERT_EQ(config->peers.size(), 2u);
    EXPECT_EQ(config->peers[1].to_string(), "198.18.1.3");
    EXPECT_EQ(config->key_file, key);
    EXPECT_EQ(config->port, 9000);
}

TEST_F(DaemonSyncOptions, PortDefaultsTo8787) {
    EXPECT_EQ(parse_sync({"--sync-peer", "fd00:1::2", "--sync-key-file", key_file(good_key)})->port, 8787);
}

TEST_F(DaemonSyncOptions, SyncFlagsNeedSyncPeer) {
    EXPECT_EQ(sync_error_of({"--sync-key-file", key_file(good_key)}), "--sync-key-file needs --sync-peer");
    EXPECT_EQ(sync_error_of({"--sync-port", "8787"}), "--sync-port needs --sync-peer");
}

TEST_F(DaemonSyncOptions, SyncPeerNeedsVrrpAndAKeyFile) {
    EXPECT_EQ(usage_error_of({"--sync-peer", "198.18.1.2", "--sync-key-file", key_file(good_key)}),
              "--sync-peer needs --vrrp-iface: the VRRP master sends");
    EXPECT_EQ(sync_error_of({"--sync-peer", "198.18.1.2"}), "--sync-peer needs --sync-key-file");
}

TEST_F(DaemonSyncOptions, RefusesBadPeers) {
    const std::string key = key_file(good_key);
    EXPECT_EQ(sync_error_of({"--sync-peer", "peer", "--sync-key-file", key}), "--sync-peer 'peer' is not an address");
    EXPECT_EQ(sync_error_of({"--sync-peer", "198.18.1.2", "--sync-peer", "fd00::2", "--sync-key-file", key}),
              "--sync-peer fd00::2: all sync peers must be of one family");
}

TEST_F(DaemonSyncOptions, RefusesKeysTooShortOrUnreadable) {
    EXPECT_EQ(sync_error_of({"--sync-peer", "198.18.1.2", "--sync-key-file", key_file("fifteen bytes..\n")}),
              "--sync-key-file: " + key_file("fifteen bytes..\n") + ": sync key has 15 bytes, at least 16 are needed");
    EXPECT_EQ(sync_error_of({"--sync-peer", "198.18.1.2", "--sync-key-file", "/nonexistent/sync.key"}),
              "--sync-key-file: cannot read sync key file /nonexistent/sync.key");
}

TEST_F(DaemonSyncOptions, RefusesPortsOutOf1To65535) {
    const std::string key = key_file(good_key);
    for (const std::string value : {"0", "65536", "-1", "x", "80.5", ""}) {
        EXPECT_EQ(sync_error_of({"--sync-peer", "198.18.1.2", "--sync-key-file", key, "--sync-port", value}),
                  "--sync-port must be an integer from 1 to 65535, got '" + value + "'");
    }
}

}  // namespace
}  // namespace xdplb::daemon
