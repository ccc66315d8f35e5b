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

TEST(DaemonOptions, SnatPortsDefaultToTheDataPlanesDefault) {
    const dataplane::SnatPortRange defaults;
    const Options options = parse({});
    EXPECT_EQ(options.snat_ports.min, defaults.min);
    EXPECT_EQ(options.snat_ports.max, defaults.max);
}

TEST(DaemonOptions, ParsesSnatPorts) {
    const Options options = parse({"--snat-ports", "2000-3000"});
    EXPECT_EQ(options.snat_ports.min, 2000);
    EXPECT_EQ(options.snat_ports.max, 3000);
}

TEST(DaemonOptions, RefusesBadSnatPorts) {
    EXPECT_EQ(usage_error_of({"--snat-ports", "3000-2000"}),
              "--snat-ports must be MIN-MAX within 1-65535, got '3000-2000'");
}

}  // namespace
}  // namespace xdplb::daemon
