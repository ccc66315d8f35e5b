#include "common/socket_address.hpp"

#include <gtest/gtest.h>

namespace xdplb {
namespace {

TEST(SocketAddress, ParsesBothFamiliesAndPrintsThemBack) {
    for (const char* text : {"198.18.0.1:9842", "0.0.0.0:1", "[::1]:65535", "[fd00::1]:9842"}) {
        const std::optional<SocketAddress> address = SocketAddress::parse(text);
        ASSERT_TRUE(address) << text;
        EXPECT_EQ(address->to_string(), text);
    }
    EXPECT_EQ(SocketAddress::parse("[fd00::1]:80")->address, *IpAddress::parse("fd00::1"));
    EXPECT_EQ(SocketAddress::parse("[fd00::1]:80")->port, 80);
}

TEST(SocketAddress, RefusesWhatIsNotAnAddressAndAPort) {
    for (const char* bad : {"", "9842", ":9842", "localhost:9842", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0",
                            "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x", "::1:80", "[127.0.0.1]:80", "[::1]80",
                            "[]:80", "1.2.3.4:99999999999999999999"}) {
        EXPECT_FALSE(SocketAddress::parse(bad)) << bad;
    }
}

}  // namespace
}  // namespace xdplb
