#include "model/port_set.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model_builders.hpp"

namespace xdplb::model {
namespace {

::testing::AssertionResult refused(const std::string& text, const std::string& reason) {
    return testing::refused_with([&] { PortSet::parse(text); }, {reason});
}

TEST(PortSet, ParsesOnePort) {
    PortSet ports = PortSet::parse("443");
    EXPECT_EQ(ports.ranges(), (std::vector<PortRange>{{443, 443}}));
    EXPECT_EQ(ports.single(), 443);
    EXPECT_EQ(ports, PortSet(443));
}

TEST(PortSet, ParsesAListOfPortsAndRanges) {
    PortSet ports = PortSet::parse("80,443,8000-8100");
    EXPECT_EQ(ports.ranges(), (std::vector<PortRange>{{80, 80}, {443, 443}, {8000, 8100}}));
    EXPECT_EQ(ports.count(), 103U);
    EXPECT_FALSE(ports.single().has_value());
    EXPECT_EQ(ports.to_string(), "80,443,8000-8100");
}

TEST(PortSet, SortsAndMergesOverlappingAndAdjacentItems) {
    EXPECT_EQ(PortSet::parse("8000-8100,443,80,8050-8200,81").to_string(), "80-81,443,8000-8200");
    EXPECT_EQ(PortSet::parse("80,80").to_string(), "80");
    EXPECT_EQ(PortSet::parse("90,80-89").single(), std::nullopt);
    EXPECT_EQ(PortSet::parse("90,80-89").to_string(), "80-90");
}

TEST(PortSet, AcceptsTheBoundsAndAOnePortRange) {
    EXPECT_EQ(PortSet::parse("1-65535").count(), 65535U);
    EXPECT_EQ(PortSet::parse("7-7").single(), 7);
}

TEST(PortSet, ListsEveryPort) {
    EXPECT_EQ(PortSet::parse("65534-65535,1,3-4").ports(), (std::vector<std::uint16_t>{1, 3, 4, 65534, 65535}));
}

TEST(PortSet, RefusesPortsOutOfRange) {
    EXPECT_TRUE(refused("0", "port 0 is out of range 1-65535"));
    EXPECT_TRUE(refused("70000", "port 70000 is out of range 1-65535"));
    EXPECT_TRUE(refused("80-65536", "port 65536 is out of range 1-65535"));
    EXPECT_TRUE(refused("99999999999999999999", "is out of range 1-65535"));
}

TEST(PortSet, RefusesARangeThatEndsBeforeItStarts) { EXPECT_TRUE(refused("90-80", "range 90-80 ends before it starts")); }

TEST(PortSet, RefusesEmptyItems) {
    EXPECT_TRUE(refused("", "it is empty"));
    EXPECT_TRUE(refused("80,,81", "it has an empty item"));
    EXPECT_TRUE(refused("80,", "it has an empty item"));
    EXPECT_TRUE(refused(",80", "it has an empty item"));
}

TEST(PortSet, RefusesWhatIsNotANumber) {
    EXPECT_TRUE(refused("a", "'a' is not a port number"));
    EXPECT_TRUE(refused("80-", "'' is not a port number"));
    EXPECT_TRUE(refused("-80", "'' is not a port number"));
    EXPECT_TRUE(refused("80-90-100", "'90-100' is not a port number"));
    EXPECT_TRUE(refused("+80", "'+80' is not a port number"));
    EXPECT_TRUE(refused(" 80", "' 80' is not a port number"));
    EXPECT_TRUE(refused("0x50", "'0x50' is not a port number"));
}

}  // namespace
}  // namespace xdplb::model
