#include "udp_frame.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace xdplb::bench {
namespace {

// RFC 1071 the textbook way, on big-endian 16-bit words: independent of the
// builder's memory-order sums.
std::uint16_t reference_checksum(const std::vector<std::uint8_t>& bytes) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < bytes.size(); i += 2) {
        const std::uint32_t high = bytes[i];
        const std::uint32_t low = i + 1 < bytes.size() ? bytes[i + 1] : 0;
        sum += (high << 8) | low;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::uint16_t field16(const std::vector<std::uint8_t>& frame, std::size_t offset) {
    return static_cast<std::uint16_t>(frame[offset] << 8 | frame[offset + 1]);
}

UdpEndpoints example_endpoints() {
    UdpEndpoints endpoints;
    endpoints.src_mac = {0x02, 0, 0, 0, 0, 0x01};
    endpoints.dst_mac = {0x02, 0, 0, 0, 0, 0x02};
    endpoints.src_ip = 0xc6130001;  // 198.19.0.1
    endpoints.dst_ip = 0xc6120064;  // 198.18.0.100
    endpoints.src_port = 1024;
    endpoints.dst_port = 5353;
    return endpoints;
}

constexpr std::size_t kIp = 14;
constexpr std::size_t kUdp = 34;

// The IPv4 header checksum and the UDP checksum as a reference computes them
// over the frame with each checksum field zeroed.
void expect_valid_checksums(std::vector<std::uint8_t> frame) {
    const std::uint16_t ip_check = field16(frame, kIp + 10);
    const std::uint16_t udp_check = field16(frame, kUdp + 6);
    frame[kIp + 10] = frame[kIp + 11] = 0;
    frame[kUdp + 6] = frame[kUdp + 7] = 0;
    EXPECT_EQ(ip_check, reference_checksum({frame.begin() + kIp, frame.begin() + kUdp}));

    const std::uint16_t udp_length = field16(frame, kUdp + 4);
    std::vector<std::uint8_t> pseudo(frame.begin() + kIp + 12, frame.begin() + kIp + 20);  // saddr, daddr
    pseudo.insert(pseudo.end(), {0, 17, static_cast<std::uint8_t>(udp_length >> 8), static_cast<std::uint8_t>(udp_length)});
    pseudo.insert(pseudo.end(), frame.begin() + kUdp, frame.begin() + kUdp + udp_length);
    std::uint16_t expected = reference_checksum(pseudo);
    if (expected == 0) expected = 0xffff;
    EXPECT_EQ(udp_check, expected);
}

TEST(UdpFrame, SmallestFrameHasTheHeadersAndValidChecksums) {
    std::vector<std::uint8_t> frame(60);
    write_udp_frame(frame, example_endpoints(), Probe{7, 42, 123456789, ProbeKind::data});
    EXPECT_EQ(field16(frame, 12), 0x0800);
    EXPECT_EQ(frame[kIp], 0x45);
    EXPECT_EQ(field16(frame, kIp + 2), 46);  // IPv4 total length
    EXPECT_EQ(frame[kIp + 9], 17);
    EXPECT_EQ(field16(frame, kUdp), 1024);
    EXPECT_EQ(field16(frame, kUdp + 2), 5353);
    EXPECT_EQ(field16(frame, kUdp + 4), 26);  // UDP length
    expect_valid_checksums(frame);
}

TEST(UdpFrame, ChecksumsStayValidOverSizesAddressesAndProbes) {
    UdpEndpoints endpoints = example_endpoints();
    for (std::size_t size : {60u, 61u, 99u, 512u, 1514u}) {
        for (std::uint32_t flow = 0; flow < 300; flow += 37) {
            endpoints.src_ip = 0xc6130001 + flow;
            endpoints.src_port = static_cast<std::uint16_t>(1024 + flow * 211);
            std::vector<std::uint8_t> frame(size);
            write_udp_frame(frame, endpoints, Probe{0xdeadbeef, flow * 1000003u, 0xfedcba9876543210ull - flow, ProbeKind::data});
            expect_valid_checksums(frame);
        }
    }
}

TEST(UdpFrame, ProbeReadsBackFromThePayload) {
    std::vector<std::uint8_t> frame(128);
    const Probe sent{99, 100000, 5555555555, ProbeKind::end};
    write_udp_frame(frame, example_endpoints(), sent);
    const auto payload = udp_payload(frame);
    ASSERT_TRUE(payload);
    EXPECT_EQ(payload->size(), 128u - 42u);
    EXPECT_EQ(decode_probe(*payload), sent);
}

TEST(UdpFrame, PayloadOfOtherFramesIsNothing) {
    std::vector<std::uint8_t> frame(60);
    write_udp_frame(frame, example_endpoints(), Probe{});
    std::vector<std::uint8_t> arp = frame;
    arp[12] = 0x08, arp[13] = 0x06;
    EXPECT_FALSE(udp_payload(arp));
    std::vector<std::uint8_t> tcp = frame;
    tcp[kIp + 9] = 6;
    EXPECT_FALSE(udp_payload(tcp));
    std::vector<std::uint8_t> truncated(frame.begin(), frame.begin() + 40);
    EXPECT_FALSE(udp_payload(truncated));
    std::vector<std::uint8_t> overlong = frame;
    overlong[kUdp + 4] = 0x05;  // UDP length past the frame's end
    EXPECT_FALSE(udp_payload(overlong));
}

TEST(UdpFrame, RefusesFramesOutsideEthernetSizes) {
    std::vector<std::uint8_t> small(59), large(1515);
    EXPECT_THROW(write_udp_frame(small, example_endpoints(), Probe{}), std::invalid_argument);
    EXPECT_THROW(write_udp_frame(large, example_endpoints(), Probe{}), std::invalid_argument);
}

}  // namespace
}  // namespace xdplb::bench
