#include "probe.hpp"

#include <gtest/gtest.h>

#include <array>

namespace xdplb::bench {
namespace {

TEST(Probe, EncodesInNetworkOrder) {
    std::array<std::uint8_t, kProbeSize> bytes{};
    encode_probe(Probe{0x01020304, 0x05060708, 0x090a0b0c0d0e0f10ull, ProbeKind::end}, bytes);
    const std::array<std::uint8_t, kProbeSize> expected{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 2};
    EXPECT_EQ(bytes, expected);
}

TEST(Probe, RoundTrips) {
    for (const Probe& probe : {Probe{0, 0, 0, ProbeKind::data}, Probe{UINT32_MAX, UINT32_MAX, UINT64_MAX, ProbeKind::end},
                               Probe{42, 1000, 1234567890123ull, ProbeKind::data}}) {
        std::array<std::uint8_t, kProbeSize + 3> bytes{};  // payload longer than the probe
        encode_probe(probe, std::span(bytes).first<kProbeSize>());
        EXPECT_EQ(decode_probe(bytes), probe);
    }
}

TEST(Probe, RefusesShortPayloadsAndUnknownKinds) {
    std::array<std::uint8_t, kProbeSize> bytes{};
    encode_probe(Probe{1, 2, 3, ProbeKind::data}, bytes);
    EXPECT_FALSE(decode_probe(std::span(bytes).first(kProbeSize - 1)));
    for (std::uint8_t kind : {0, 3, 255}) {
        bytes[16] = kind;
        EXPECT_FALSE(decode_probe(bytes)) << int{kind};
    }
}

}  // namespace
}  // namespace xdplb::bench
