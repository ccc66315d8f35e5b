// lbd's VRRP flags: what they give the virtual router, and each refusal's one line.
#include "daemon/vrrp_options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/options.hpp"

namespace xdplb::daemon {
namespace {

// lbd --iface eth0 ARGUMENTS...
std::optional<ha::NodeConfig> parse(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"lbd", "--iface", "eth0"});
    std::vector<char*> argv;
    for (std::string& argument : arguments) argv.push_back(argument.data());
    std::optional<Options> options = parse_options(static_cast<int>(argv.size()), argv.data());
    EXPECT_TRUE(options.has_value());
    return options ? options->vrrp : std::nullopt;
}

// lbd --iface eth0 --vrrp-iface eth0 --vrid 7 --vip 198.18.0.10/24 ARGUMENTS...
ha::NodeConfig parse_router(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"--vrrp-iface", "eth0", "--vrid", "7", "--vip", "198.18.0.10/24"});
    return parse(arguments).value_or(ha::NodeConfig{});
}

std::string usage_error_of(const std::vector<std::string>& arguments) {
    try {
        parse(arguments);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "";
}

std::string router_error_of(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"--vrrp-iface", "eth0", "--vrid", "7", "--vip", "198.18.0.10/24"});
    return usage_error_of(arguments);
}

TEST(DaemonVrrpOptions, NoneWithoutVrrpIface) { EXPECT_FALSE(parse({}).has_value()); }

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
                                 .value_or(ha::NodeConfig{});
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

}  // namespace
}  // namespace xdplb::daemon
