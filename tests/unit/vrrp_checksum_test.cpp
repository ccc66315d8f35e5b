// The VRRPv3 checksum against vectors worked out by hand from RFC 5798 5.2.8
// and one captured from keepalived on a real network.
#include "ha/vrrp_checksum.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace xdplb::ha {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// VRID 51, priority 100, 1 address, 1 s, checksum zeroed, 198.18.0.100.
// Words: 3133 6401 0064 0000 c612 0064, sum 0x15c0e.
const std::vector<std::uint8_t> kIpv4Message{0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x00, 0x00, 0xc6, 0x12, 0x00, 0x64};

TEST(VrrpChecksum, Ipv4WithPseudoHeader) {
    // Pseudo-header 198.18.0.1 > 224.0.0.18, protocol 112, length 12:
    // c612 + 0001 + e000 + 0012 + 0070 + 000c = 0x1a6a1; with the message
    // 0x302af, folded 0x02b2, complemented 0xfd4d.
    EXPECT_EQ(vrrp_checksum(kIpv4Message, ip("198.18.0.1"), ip("224.0.0.18"), Ipv4Checksum::with_pseudo_header),
              0xfd4d);
}

TEST(VrrpChecksum, Ipv4MessageOnly) {
    // 0x15c0e folded 0x5c0f, complemented 0xa3f0; the addresses do not count.
    EXPECT_EQ(vrrp_checksum(kIpv4Message, ip("198.18.0.1"), ip("224.0.0.18"), Ipv4Checksum::message_only), 0xa3f0);
    EXPECT_EQ(vrrp_checksum(kIpv4Message, ip("198.18.0.9"), ip("198.18.0.2"), Ipv4Checksum::message_only), 0xa3f0);
}

TEST(VrrpChecksum, MatchesKeepalivedOnTheWire) {
    // keepalived 2.0 as Wireshark showed it (github.com/acassen/keepalived
    // issue 1490): 10.0.0.3 > 224.0.0.18, VRID 2, priority 150, 3 addresses,
    // 100 cs, checksum 0x082d, which its author confirmed is right.
    std::vector<std::uint8_t> message{0x31, 0x02, 0x96, 0x03, 0x00, 0x64, 0x00, 0x00, 185, 203,
                                      112,  1,    10,   0,    0,    1,    10,   0,    8,   1};
    EXPECT_EQ(vrrp_checksum(message, ip("10.0.0.3"), ip("224.0.0.18"), Ipv4Checksum::with_pseudo_header), 0x082d);
    message[6] = 0x08;
    message[7] = 0x2d;
    EXPECT_EQ(vrrp_checksum(message, ip("10.0.0.3"), ip("224.0.0.18"), Ipv4Checksum::with_pseudo_header), 0)
        << "a message with its right checksum sums to zero";
}

TEST(VrrpChecksum, Ipv6AlwaysUsesThePseudoHeader) {
    // VRID 51, priority 200, 2 addresses, 10 cs: fe80::51, fd00::51.
    // Message words 3133 c802 000a fe80 0051 fd00 0051 = 0x2f561; pseudo-header
    // fe80::1 > ff02::12, length 40, next header 112: fe80 + 0001 + ff02 + 0012
    // + 0028 + 0070 = 0x1fe2d; total 0x4f38e, folded 0xf392, complemented 0x0c6d.
    std::vector<std::uint8_t> message{0x31, 0x33, 0xc8, 0x02, 0x00, 0x0a, 0x00, 0x00};
    for (const char* text : {"fe80::51", "fd00::51"}) {
        IpAddress address = ip(text);
        message.insert(message.end(), address.bytes().begin(), address.bytes().end());
    }
    for (Ipv4Checksum mode : {Ipv4Checksum::with_pseudo_header, Ipv4Checksum::message_only}) {
        EXPECT_EQ(vrrp_checksum(message, ip("fe80::1"), ip("ff02::12"), mode), 0x0c6d);
    }
}

TEST(VrrpChecksum, PadsAnOddLastByteWithZero) {
    std::vector<std::uint8_t> odd{0x12, 0x34, 0x56};
    std::vector<std::uint8_t> padded{0x12, 0x34, 0x56, 0x00};
    // 1234 + 5600 either way.
    EXPECT_EQ(vrrp_checksum(odd, ip("198.18.0.1"), ip("224.0.0.18"), Ipv4Checksum::message_only), 0xffff - 0x6834);
    EXPECT_EQ(vrrp_checksum(padded, ip("198.18.0.1"), ip("224.0.0.18"), Ipv4Checksum::message_only), 0xffff - 0x6834);
}

}  // namespace
}  // namespace xdplb::ha
