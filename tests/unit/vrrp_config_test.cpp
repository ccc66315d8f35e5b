// What a virtual router refuses to be configured with, each with its reason.
#include "ha/vrrp_config.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace xdplb::ha {
namespace {

RouterConfig valid_config() {
    RouterConfig config;
    config.primary_address = *IpAddress::parse("198.18.0.1");
    config.tracked_interfaces = {"eth0", "lb-backend0"};
    return config;
}

std::string refusal(const RouterConfig& config) {
    try {
        validate(config);
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    return "accepted";
}

TEST(VrrpConfig, AcceptsTheDefaultsWithAnAddress) { EXPECT_EQ(refusal(valid_config()), "accepted"); }

TEST(VrrpConfig, AcceptsTheExtremes) {
    RouterConfig config = valid_config();
    config.vrid = 255;
    config.priority = 255;
    config.advert_interval = Centiseconds(4095);
    config.preempt_delay = kMaxPreemptDelay;
    config.primary_address = *IpAddress::parse("fe80::1");
    config.tracked_interfaces = {"a", "fifteen-chars-x"};
    EXPECT_EQ(refusal(config), "accepted");
    config.vrid = 1;
    config.priority = 1;
    config.advert_interval = Centiseconds(1);
    EXPECT_EQ(refusal(config), "accepted");
}

TEST(VrrpConfig, RefusesEachFieldOutOfRange) {
    RouterConfig config = valid_config();
    config.vrid = 0;
    EXPECT_EQ(refusal(config), "vrid must be 1-255");

    config = valid_config();
    config.priority = 0;
    EXPECT_EQ(refusal(config), "priority must be 1-255 (0 is reserved for a master that leaves)");

    for (Centiseconds interval : {Centiseconds(0), Centiseconds(-1), Centiseconds(4096)}) {
        config = valid_config();
        config.advert_interval = interval;
        EXPECT_EQ(refusal(config), "advert interval must be 0.01-40.95 seconds, in steps of 0.01");
    }

    for (std::chrono::milliseconds delay : {std::chrono::milliseconds(-1), std::chrono::milliseconds(1'000'001)}) {
        config = valid_config();
        config.preempt_delay = delay;
        EXPECT_EQ(refusal(config), "preempt delay must be 0-1000 seconds");
    }

    config = valid_config();
    config.primary_address = *IpAddress::parse("0.0.0.0");
    EXPECT_EQ(refusal(config), "primary address 0.0.0.0 is unspecified");
    config.primary_address = *IpAddress::parse("::");
    EXPECT_EQ(refusal(config), "primary address :: is unspecified");

    for (const char* name : {"", "sixteen-chars-xx"}) {
        config = valid_config();
        config.tracked_interfaces.insert(name);
        EXPECT_EQ(refusal(config), std::string("tracked interface '") + name + "' is not a valid name");
    }
}

}  // namespace
}  // namespace xdplb::ha
