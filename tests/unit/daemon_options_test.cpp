#include "daemon/options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <xdplb/abi.h>

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

}  // namespace
}  // namespace xdplb::daemon
