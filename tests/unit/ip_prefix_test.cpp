#include "common/ip_prefix.hpp"

#include <gtest/gtest.h>

#include <string>

namespace xdplb {
namespace {

std::string refusal_of(const std::string& text) {
    try {
        IpPrefix::parse(text);
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    return "accepted";
}

TEST(IpPrefix, ParsesIpv4AndIpv6Prefixes) {
    IpPrefix v4 = IpPrefix::parse("198.18.0.0/15");
    EXPECT_EQ(v4.family(), IpAddress::Family::v4);
    EXPECT_EQ(v4.length(), 15);
    EXPECT_EQ(v4.to_string(), "198.18.0.0/15");

    IpPrefix v6 = IpPrefix::parse("fd00:0::/8");
    EXPECT_EQ(v6.family(), IpAddress::Family::v6);
    EXPECT_EQ(v6.length(), 8);
    EXPECT_EQ(v6.to_string(), "fd00::/8");
}

TEST(IpPrefix, AnAddressAloneIsOneHost) {
    EXPECT_EQ(IpPrefix::parse("198.18.0.7").to_string(), "198.18.0.7/32");
    EXPECT_EQ(IpPrefix::parse("fd00::7").to_string(), "fd00::7/128");
}

TEST(IpPrefix, AcceptsTheExtremeLengths) {
    EXPECT_EQ(IpPrefix::parse("0.0.0.0/0").length(), 0);
    EXPECT_EQ(IpPrefix::parse("::/0").length(), 0);
    EXPECT_EQ(IpPrefix::parse("198.18.0.1/32").length(), 32);
    EXPECT_EQ(IpPrefix::parse("fd00::1/128").length(), 128);
}

TEST(IpPrefix, HostBitsSetAreRefusedWithThePrefixMeant) {
    EXPECT_EQ(refusal_of("198.18.0.1/24"), "'198.18.0.1/24' has host bits set; the prefix is 198.18.0.0/24");
    EXPECT_EQ(refusal_of("fd00::1/64"), "'fd00::1/64' has host bits set; the prefix is fd00::/64");
    EXPECT_EQ(refusal_of("198.19.255.255/15"), "'198.19.255.255/15' has host bits set; the prefix is 198.18.0.0/15");
}

TEST(IpPrefix, RefusesLengthsOutOfRangeOrMalformed) {
    for (const char* text : {"198.18.0.0/33", "fd00::/129", "198.18.0.0/", "198.18.0.0/-1", "198.18.0.0/+8",
                             "198.18.0.0/08", "198.18.0.0/8 ", "198.18.0.0/x", "198.18.0.0/8/8", "fd00::/1000"}) {
        EXPECT_NE(refusal_of(text).find("needs a prefix length from 0 to"), std::string::npos) << text;
    }
}

TEST(IpPrefix, RefusesWhatIsNotAnAddress) {
    for (const char* text : {"", "/8", "198.18.0/24", "web", "198.18.0.0.0/8", " 198.18.0.0/16"}) {
        EXPECT_NE(refusal_of(text).find("is not an address or an ADDR/LEN prefix"), std::string::npos) << text;
    }
}

}  // namespace
}  // namespace xdplb
