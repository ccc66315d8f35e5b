// Random and mutated frames through the loaded program. Nothing may crash, and
// a frame that belongs to no farm and no tracked flow must come back as
// XDP_PASS, byte for byte as it went in.
#include <random>

#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

constexpr int kFrames = 1'000'000;

class Fuzz : public DataPlaneTest {
protected:
    void SetUp() override {
        DataPlaneTest::SetUp();
        model::Farm web = farm("web", model::Mode::snat, 80);
        web.backends = {backend("b1", LabAddresses::kBackend1, 8080)};
        model::Farm dns = farm("dns", model::Mode::dnat, 53, model::Protocol::udp);
        dns.backends = {backend("b1", LabAddresses::kBackend1, std::nullopt)};
        model::Farm web6 = farm("web6", model::Mode::snat, 80, model::Protocol::tcp, kIpv6);
        web6.backends = {backend("b1", kIpv6.backend1, 8080)};
        model::Farm media = farm("media", model::Mode::dsr, 1, model::Protocol::tcp);
        media.port = model::PortSet::parse("443,8000-8100");
        media.backends = {backend("b1", LabAddresses::kBackend1, std::nullopt)};
        model::Farm media6 = farm("media6", model::Mode::dsr, 1, model::Protocol::udp, kIpv6);
        media6.port = model::PortSet::parse("5000-6000");
        media6.backends = {backend("b1", kIpv6.backend1, std::nullopt)};
        configure({{web, dns, web6, media, media6}});
    }

    Bytes random_tcp_udp_frame(const std::string& dst_ip) {
        std::uniform_int_distribution<int> byte(0, 255);
        FrameSpec spec = from_client(dst_ip, static_cast<std::uint16_t>(byte(random_) << 8 | byte(random_)),
                                     static_cast<std::uint16_t>(byte(random_) << 8 | byte(random_)),
                                     byte(random_) % 2 ? kTcp : kUdp);
        spec.tcp_flags = static_cast<std::uint8_t>(byte(random_));
        spec.payload.assign(static_cast<std::size_t>(byte(random_) % 64), 'x');
        return build_frame(spec);
    }

    // An echo request or an error of either family's types (or any type),
    // quoting `quoted` whole or cut.
    Bytes icmp_frame(const std::string& dst_ip, const Bytes& quoted) {
        static constexpr std::uint8_t kTypes[] = {kIcmpEchoRequest, kIcmpDestUnreachable, kIcmpTimeExceeded,
                                                  kIcmp6DestUnreachable, kIcmp6PacketTooBig, kIcmp6EchoRequest};
        std::uniform_int_distribution<int> byte(0, 255);
        IcmpSpec spec;
        spec.src_mac = kClientMac;
        spec.dst_mac = kEth0Mac;
        spec.src_ip = family_of(dst_ip).client;
        spec.dst_ip = dst_ip;
        int pick = byte(random_) % 8;
        spec.type = pick < 6 ? kTypes[pick] : static_cast<std::uint8_t>(byte(random_));
        spec.code = static_cast<std::uint8_t>(byte(random_) % 5);
        spec.body = ip_packet_of(quoted, static_cast<std::size_t>(byte(random_)) % (quoted.size() + 8));
        return build_icmp_frame(spec);
    }

    // Frames of every shape around the interesting ones: valid TCP, UDP and
    // ICMP to other hosts and ports, then bit flips, truncations and random bytes.
    Bytes next_frame() {
        std::uniform_int_distribution<int> byte(0, 255);
        std::string destination = random_destination();
        Bytes frame = random_tcp_udp_frame(destination);
        if (byte(random_) % 4 == 0) frame = icmp_frame(destination, random_tcp_udp_frame(random_destination()));
        switch (byte(random_) % 4) {
        case 0:
            break;
        case 1:
            for (int flips = 1 + byte(random_) % 4; flips > 0; --flips) {
                frame[static_cast<std::size_t>(byte(random_)) % frame.size()] ^= static_cast<std::uint8_t>(1 << (byte(random_) % 8));
            }
            break;
        case 2:
            frame.resize(14 + static_cast<std::size_t>(byte(random_)) % (frame.size() - 13));
            break;
        default:
            for (std::size_t i = 14; i < frame.size(); ++i) frame[i] = static_cast<std::uint8_t>(byte(random_));
        }
        return frame;
    }

    std::string random_destination() {
        std::uniform_int_distribution<int> byte(0, 255);
        if (byte(random_) % 2) return "fd00::" + std::to_string(byte(random_));
        return "198.18." + std::to_string(byte(random_) % 2) + "." + std::to_string(byte(random_));
    }

    // Conservatively, a frame whose destination bytes are a VIP's may belong to
    // a farm: those frames are not judged by the invariant.
    static bool addressed_to_vip(const Bytes& frame) {
        static const Bytes vip4 = {198, 18, 0, 100};
        static const Bytes vip6 = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
        auto holds_at = [&](std::size_t at, const Bytes& address) {
            return frame.size() >= at + address.size() && std::equal(address.begin(), address.end(), frame.begin() + static_cast<std::ptrdiff_t>(at));
        };
        return holds_at(30, vip4) || holds_at(38, vip6);
    }

    std::mt19937 random_{20261121};
};

TEST_F(Fuzz, FramesForNoFarmPassUntouched) {
    int judged = 0;
    for (int i = 0; i < kFrames; ++i) {
        Bytes frame = next_frame();
        if (addressed_to_vip(frame)) continue;
        TestRun out = run_from_client(frame);
        ++judged;
        if (out.verdict != XDP_PASS || out.frame != frame) {
            FAIL() << "frame " << i << " came back changed or not passed (verdict " << out.verdict << ")\n"
                   << describe_difference(frame, out.frame);
        }
    }
    EXPECT_GT(judged, kFrames / 2);
}

TEST_F(Fuzz, FramesToTheVipNeverCrashAndGetAKnownVerdict) {
    std::uniform_int_distribution<int> byte(0, 255);
    for (int i = 0; i < kFrames / 10; ++i) {
        FrameSpec spec = from_client(LabAddresses::kVip, static_cast<std::uint16_t>(1024 + i % 60000),
                                     byte(random_) % 2 ? 80 : 53, byte(random_) % 2 ? kTcp : kUdp);
        spec.tcp_flags = static_cast<std::uint8_t>(byte(random_));
        Bytes frame = build_frame(spec);
        if (byte(random_) % 4 == 0) {
            // A ping, or an error about what the VIP sent to one of the flows opened here.
            FrameSpec from_vip = from_client(LabAddresses::kClient, spec.dport, spec.sport, spec.proto);
            from_vip.src_ip = LabAddresses::kVip;
            from_vip.tcp_flags = kSyn | kAck;
            frame = icmp_frame(LabAddresses::kVip, build_frame(from_vip));
        }
        frame[static_cast<std::size_t>(byte(random_)) % frame.size()] ^= static_cast<std::uint8_t>(byte(random_));
        TestRun out = run_from_client(frame);
        ASSERT_TRUE(out.verdict == XDP_PASS || out.verdict == XDP_DROP || out.verdict == XDP_REDIRECT ||
                    out.verdict == XDP_TX)
            << "frame " << i << " verdict " << out.verdict;
        if (out.verdict != XDP_REDIRECT && out.verdict != XDP_TX) {
            ASSERT_EQ(out.frame, frame) << "frame " << i << " altered but not sent";
        }
    }
}

}  // namespace
}  // namespace xdplb::testing
