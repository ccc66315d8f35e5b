#include "common/ip_address.hpp"

#include <gtest/gtest.h>

#include <string>

namespace xdplb {
namespace {

using namespace std::string_literals;

TEST(IpAddress, ParsesDottedQuadAsIpv4) {
    auto address = IpAddress::parse("192.0.2.10");
    ASSERT_TRUE(address.has_value());
    EXPECT_EQ(address->family(), IpAddress::Family::v4);
    EXPECT_EQ(address->bytes()[0], 192);
    EXPECT_EQ(address->bytes()[1], 0);
    EXPECT_EQ(address->bytes()[2], 2);
    EXPECT_EQ(address->bytes()[3], 10);
}

TEST(IpAddress, Ipv4LeavesTheLastTwelveBytesZero) {
    auto address = IpAddress::parse("255.255.255.255");
    ASSERT_TRUE(address.has_value());
    for (std::size_t i = 4; i < 16; ++i) EXPECT_EQ(address->bytes()[i], 0) << "byte " << i;
}

TEST(IpAddress, ParsesTheIpv4Extremes) {
    EXPECT_TRUE(IpAddress::parse("0.0.0.0").has_value());
    EXPECT_TRUE(IpAddress::parse("255.255.255.255").has_value());
}

TEST(IpAddress, ParsesIpv6) {
    auto address = IpAddress::parse("2001:db8::1");
    ASSERT_TRUE(address.has_value());
    EXPECT_EQ(address->family(), IpAddress::Family::v6);
    EXPECT_EQ(address->bytes()[0], 0x20);
    EXPECT_EQ(address->bytes()[1], 0x01);
    EXPECT_EQ(address->bytes()[2], 0x0d);
    EXPECT_EQ(address->bytes()[3], 0xb8);
    EXPECT_EQ(address->bytes()[15], 0x01);
}

TEST(IpAddress, ParsesIpv6FullAndEmbeddedIpv4Forms) {
    EXPECT_EQ(IpAddress::parse("2001:0db8:0000:0000:0000:0000:0000:0001"), IpAddress::parse("2001:db8::1"));
    auto mapped = IpAddress::parse("::ffff:192.0.2.1");
    ASSERT_TRUE(mapped.has_value());
    EXPECT_EQ(mapped->family(), IpAddress::Family::v6);
}

TEST(IpAddress, RefusesShortIpv4Forms) {
    EXPECT_FALSE(IpAddress::parse("10.1").has_value());
    EXPECT_FALSE(IpAddress::parse("10.1.2").has_value());
    EXPECT_FALSE(IpAddress::parse("167772161").has_value());  // 10.0.0.1 as one number
}

TEST(IpAddress, RefusesLeadingZeros) {
    EXPECT_FALSE(IpAddress::parse("01.2.3.4").has_value());
    EXPECT_FALSE(IpAddress::parse("1.2.3.04").has_value());
}

TEST(IpAddress, RefusesSurroundingWhitespace) {
    EXPECT_FALSE(IpAddress::parse(" 1.2.3.4").has_value());
    EXPECT_FALSE(IpAddress::parse("1.2.3.4 ").has_value());
    EXPECT_FALSE(IpAddress::parse("1.2.3.4\n").has_value());
    EXPECT_FALSE(IpAddress::parse(" ::1").has_value());
}

TEST(IpAddress, RefusesTrailingJunk) {
    EXPECT_FALSE(IpAddress::parse("1.2.3.4x").has_value());
    EXPECT_FALSE(IpAddress::parse("1.2.3.4.").has_value());
    EXPECT_FALSE(IpAddress::parse("1.2.3.4/24").has_value());
    EXPECT_FALSE(IpAddress::parse("1.2.3.4:80").has_value());
    EXPECT_FALSE(IpAddress::parse("::1x").has_value());
}

TEST(IpAddress, RefusesTextAfterAnEmbeddedNul) {
    // A JSON string may carry \u0000; what follows it must not be ignored.
    EXPECT_FALSE(IpAddress::parse("1.2.3.4\0junk"s).has_value());
    EXPECT_FALSE(IpAddress::parse("::1\0junk"s).has_value());
    EXPECT_FALSE(IpAddress::parse("\0"s).has_value());
}

TEST(IpAddress, RefusesOctetsAbove255) {
    EXPECT_FALSE(IpAddress::parse("256.0.0.1").has_value());
    EXPECT_FALSE(IpAddress::parse("1.2.3.256").has_value());
    EXPECT_FALSE(IpAddress::parse("1.2.3.1000").has_value());
}

TEST(IpAddress, RefusesEmptyText) { EXPECT_FALSE(IpAddress::parse("").has_value()); }

TEST(IpAddress, RefusesNonAddresses) {
    EXPECT_FALSE(IpAddress::parse("localhost").has_value());
    EXPECT_FALSE(IpAddress::parse("1.2.3.-4").has_value());
    EXPECT_FALSE(IpAddress::parse("1..2.3").has_value());
    EXPECT_FALSE(IpAddress::parse("1:2:3:4:5:6:7:8:9").has_value());
    EXPECT_FALSE(IpAddress::parse("1::2::3").has_value());
    EXPECT_FALSE(IpAddress::parse("fe80::1%eth0").has_value());
    EXPECT_FALSE(IpAddress::parse("[::1]").has_value());
}

TEST(IpAddress, PrintsIpv4AsGiven) {
    EXPECT_EQ(IpAddress::parse("198.51.100.7")->to_string(), "198.51.100.7");
    EXPECT_EQ(IpAddress::parse("0.0.0.0")->to_string(), "0.0.0.0");
}

TEST(IpAddress, PrintsIpv6Canonically) {
    EXPECT_EQ(IpAddress::parse("2001:0DB8:0:0:0:0:0:0001")->to_string(), "2001:db8::1");
    EXPECT_EQ(IpAddress::parse("0:0:0:0:0:0:0:1")->to_string(), "::1");
}

TEST(IpAddress, RoundTripsThroughText) {
    for (const char* text : {"10.0.0.1", "192.0.2.255", "255.255.255.255", "::", "::1", "2001:db8::8a2e:370:7334",
                             "fe80::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}) {
        auto address = IpAddress::parse(text);
        ASSERT_TRUE(address.has_value()) << text;
        EXPECT_EQ(address->to_string(), text);
        EXPECT_EQ(IpAddress::parse(address->to_string()), address) << text;
    }
}

TEST(IpAddress, ComparesByFamilyAndBytes) {
    EXPECT_EQ(IpAddress::parse("10.0.0.1"), IpAddress::parse("10.0.0.1"));
    EXPECT_NE(IpAddress::parse("10.0.0.1"), IpAddress::parse("10.0.0.2"));
    // ::a00:1 is 10.0.0.1's bytes in another place and family; never the same address.
    EXPECT_NE(IpAddress::parse("10.0.0.1"), IpAddress::parse("::a00:1"));
    EXPECT_NE(IpAddress::parse("0.0.0.0"), IpAddress::parse("::"));
}

}  // namespace
}  // namespace xdplb
