// Whatever belongs to no farm and no tracked flow, including frames too short or
// too broken to judge, goes to the kernel untouched.
#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

class Passthrough : public DataPlaneTest {
protected:
    void SetUp() override {
        DataPlaneTest::SetUp();
        model::Farm web = farm("web", model::Mode::snat, 80);
        web.backends = {backend("b1", LabAddresses::kBackend1, 8080)};
        configure({{web}});
    }

    void expect_untouched(const Bytes& frame, const char* reason) {
        std::uint64_t before = reason_count(reason);
        expect_frame(run_from_client(frame), XDP_PASS, frame);
        EXPECT_EQ(reason_count(reason), before + 1) << reason;
    }

    static Bytes syn_to_vip() { return build_frame(from_client(LabAddresses::kVip, 40000, 80)); }
};

TEST_F(Passthrough, OtherPortOfTheVip) {
    expect_untouched(build_frame(from_client(LabAddresses::kVip, 40000, 22)), "pass_no_farm");
}

TEST_F(Passthrough, OtherProtocolOnTheFarmPort) {
    expect_untouched(build_frame(from_client(LabAddresses::kVip, 40000, 80, kUdp)), "pass_no_farm");
}

TEST_F(Passthrough, OtherAddress) {
    expect_untouched(build_frame(from_client(LabAddresses::kElsewhere, 40000, 80)), "pass_no_farm");
}

TEST_F(Passthrough, TcpWithoutSynAndWithoutFlow) {
    FrameSpec ack = from_client(LabAddresses::kVip, 40000, 80);
    ack.tcp_flags = kAck;
    expect_untouched(build_frame(ack), "pass_tcp_not_syn");
}

TEST_F(Passthrough, ArpFrame) {
    Bytes arp = syn_to_vip();
    arp.resize(42);
    arp[12] = 0x08;
    arp[13] = 0x06;
    expect_untouched(arp, "pass_not_ip");
}

TEST_F(Passthrough, Ipv4HeaderUnderTheIpv6EtherType) {
    Bytes frame = syn_to_vip();
    frame[12] = 0x86;
    frame[13] = 0xdd;
    expect_untouched(frame, "pass_malformed");
}

TEST_F(Passthrough, IcmpToTheVip) {
    Bytes icmp = syn_to_vip();
    icmp[14 + 9] = 1;
    expect_untouched(icmp, "pass_not_tcp_udp");
}

// Fragments to a VIP are dropped: see icmp_test.cpp.
TEST_F(Passthrough, FragmentToAnotherAddress) {
    FrameSpec fragment = from_client(LabAddresses::kElsewhere, 40000, 80);
    fragment.frag_off = 0x2000;  // more fragments follow
    expect_untouched(build_frame(fragment), "pass_fragment");
}

// BPF_PROG_TEST_RUN, like every driver, refuses frames shorter than an
// Ethernet header, so the shortest frame to judge is a bare header.
TEST_F(Passthrough, EthernetHeaderWithoutIpHeader) {
    Bytes frame = syn_to_vip();
    frame.resize(14);
    expect_untouched(frame, "pass_malformed");
}

TEST_F(Passthrough, TruncatedIpHeader) {
    Bytes frame = syn_to_vip();
    frame.resize(14 + 12);
    expect_untouched(frame, "pass_malformed");
}

TEST_F(Passthrough, TruncatedTcpHeader) {
    Bytes frame = syn_to_vip();
    frame.resize(14 + 20 + 10);
    expect_untouched(frame, "pass_malformed");
}

TEST_F(Passthrough, IpHeaderLengthBelowMinimum) {
    Bytes frame = syn_to_vip();
    frame[14] = 0x44;
    expect_untouched(frame, "pass_malformed");
}

TEST_F(Passthrough, IpTotalLengthBeyondTheFrame) {
    Bytes frame = syn_to_vip();
    frame[14 + 2] = 0x05;  // 1280+ bytes claimed, 54 present
    expect_untouched(frame, "pass_malformed");
}

TEST_F(Passthrough, TcpDataOffsetBelowMinimum) {
    Bytes frame = syn_to_vip();
    frame[14 + 20 + 12] = 4 << 4;
    expect_untouched(frame, "pass_malformed");
}

TEST_F(Passthrough, MalformedFramesCreateNoFlow) {
    Bytes truncated = syn_to_vip();
    truncated.resize(14 + 20 + 10);
    run_from_client(truncated);
    FrameSpec ack = from_client(LabAddresses::kVip, 40000, 80);
    ack.tcp_flags = kAck;
    expect_untouched(build_frame(ack), "pass_tcp_not_syn");
}

}  // namespace
}  // namespace xdplb::testing

namespace xdplb::testing {
namespace {

class Ipv6Passthrough : public Passthrough {
protected:
    void SetUp() override {
        DataPlaneTest::SetUp();
        model::Farm web = farm("web6", model::Mode::snat, 80, model::Protocol::tcp, kIpv6);
        web.backends = {backend("b1", kIpv6.backend1, 8080)};
        configure({{web}});
    }

    static Bytes syn_to_vip6() { return build_frame(from_client(kIpv6.vip, 40000, 80)); }
};

TEST_F(Ipv6Passthrough, OtherPortOfTheVip) {
    expect_untouched(build_frame(from_client(kIpv6.vip, 40000, 22)), "pass_no_farm");
}

TEST_F(Ipv6Passthrough, NeighbourSolicitationAndOtherIcmpv6) {
    Bytes icmp = syn_to_vip6();
    icmp[14 + 6] = 58;
    expect_untouched(icmp, "pass_not_tcp_udp");
}

TEST_F(Ipv6Passthrough, FragmentHeader) {
    Bytes fragment = syn_to_vip6();
    fragment[14 + 6] = 44;
    expect_untouched(fragment, "pass_fragment");
}

TEST_F(Ipv6Passthrough, OtherExtensionHeader) {
    Bytes hop_by_hop = syn_to_vip6();
    hop_by_hop[14 + 6] = 0;
    expect_untouched(hop_by_hop, "pass_not_tcp_udp");
}

TEST_F(Ipv6Passthrough, TruncatedIpv6Header) {
    Bytes frame = syn_to_vip6();
    frame.resize(14 + 30);
    expect_untouched(frame, "pass_malformed");
}

TEST_F(Ipv6Passthrough, PayloadLengthBeyondTheFrame) {
    Bytes frame = syn_to_vip6();
    frame[14 + 4] = 0x05;
    expect_untouched(frame, "pass_malformed");
}

TEST_F(Ipv6Passthrough, Ipv6HeaderWithAnotherVersion) {
    Bytes frame = syn_to_vip6();
    frame[14] = 0x40;
    expect_untouched(frame, "pass_malformed");
}

}  // namespace
}  // namespace xdplb::testing
