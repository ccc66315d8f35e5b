// An established flow's kept next hop (bpf/lib/next_hop.h): the FIB's answer
// serves the flow for about a second and for packets no longer than one it let
// through; a change of neighbour or MTU reaches the flow all the same.
#include <chrono>
#include <thread>

#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;

const Mac kBackend1NewMac = mac(0x21);

class NextHop : public PerFamily {
protected:
    void SetUp() override {
        PerFamily::SetUp();
        configure({{web_farm(Mode::dnat)}});
    }

    void TearDown() override {
        set_lab_neighbour(family().backend1, kBackend1Mac, "eth1");
        change_lab(std::string("ip route del ") + family().backend1 + " dev eth1 proto static || true");
    }

    FrameSpec client_packet(std::uint8_t tcp_flags, std::size_t payload_bytes = 0) const {
        FrameSpec spec = from_client(family().vip, 40000, 80);
        spec.tcp_flags = tcp_flags;
        spec.payload.assign(payload_bytes, 'x');
        return spec;
    }

    Bytes toward_backend1(const FrameSpec& spec, const Mac& backend_mac = kBackend1Mac) const {
        FrameSpec expected = forwarded(spec, kEth1Mac, backend_mac);
        expected.dst_ip = family().backend1;
        expected.dport = 8080;
        return build_frame(expected);
    }
};

TEST_P(NextHop, NewNeighbourAddressReachesAnEstablishedFlowWithinASecond) {
    run_from_client(build_frame(client_packet(kSyn)));
    FrameSpec data = client_packet(kAck);
    expect_frame(run_from_client(build_frame(data)), XDP_REDIRECT, toward_backend1(data));

    set_lab_neighbour(family().backend1, kBackend1NewMac, "eth1");
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    expect_frame(run_from_client(build_frame(data)), XDP_REDIRECT, toward_backend1(data, kBackend1NewMac));
}

TEST_P(NextHop, PacketLongerThanAnyTheFibLetThroughIsCheckedAgainstTheMtu) {
    run_from_client(build_frame(client_packet(kSyn)));
    FrameSpec small = client_packet(kAck, 100);
    expect_frame(run_from_client(build_frame(small)), XDP_REDIRECT, toward_backend1(small));

    // A host route with a small MTU (locked: the FIB heeds it when forwarding),
    // which the kept next hop knows nothing of.
    change_lab(std::string("ip route replace ") + family().backend1 + " dev eth1 proto static mtu lock 1280");
    FrameSpec big = client_packet(kAck, 1300);
    FrameSpec rewritten = big;
    rewritten.dst_ip = family().backend1;
    rewritten.dport = 8080;
    expect_frame(run_from_client(build_frame(big)), XDP_PASS, build_frame(rewritten));
    EXPECT_EQ(reason_count("pass_frag_needed"), 1u);
    expect_frame(run_from_client(build_frame(small)), XDP_REDIRECT, toward_backend1(small));
}

XDPLB_FOR_EACH_FAMILY(NextHop);

}  // namespace
}  // namespace xdplb::testing
