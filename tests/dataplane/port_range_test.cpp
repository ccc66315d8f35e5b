// Farms on port lists and ranges: every listed port matches, nothing else.
#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;

class PortRange : public PerFamily {
protected:
    void configure_ports(const std::string& ports) {
        model::Farm media = farm("media", Mode::dnat, 1, model::Protocol::tcp, family());
        media.port = model::PortSet::parse(ports);
        media.backends = {backend("b1", family().backend1, std::nullopt)};
        configure({{media}});
    }

    FrameSpec syn(std::uint16_t vip_port) const { return from_client(family().vip, 40000, vip_port); }

    // A backend without a port keeps the port the client connected to.
    void expect_balanced(std::uint16_t vip_port) {
        expect_frame(run_from_client(build_frame(syn(vip_port))), XDP_REDIRECT,
                     build_frame(to_backend1(syn(vip_port), vip_port)));
    }

    void expect_passed(std::uint16_t vip_port) {
        Bytes frame = build_frame(syn(vip_port));
        expect_frame(run_from_client(frame), XDP_PASS, frame);
    }
};

XDPLB_FOR_EACH_FAMILY(PortRange);

TEST_P(PortRange, EveryPortOfTheRangeMatchesAndNoOther) {
    configure_ports("80,8000-8100");
    expect_balanced(8050);
    expect_balanced(8000);
    expect_balanced(8100);
    expect_balanced(80);
    expect_passed(8101);
    expect_passed(7999);
    expect_passed(81);
    EXPECT_EQ(reason_count("pass_no_farm"), 3u);
}

TEST_P(PortRange, ChangedPortsStopMatchingAndNewOnesStart) {
    configure_ports("8000-8100");
    model::Config changed = config_;
    changed.farms[0].port = model::PortSet::parse("8090-8200");
    configure(changed);
    expect_passed(8050);
    expect_balanced(8095);
    expect_balanced(8200);
}

// The new keys are written before the old ones go: the farms map has room
// for both even when a farm holds every port.
TEST_P(PortRange, AFarmOnEveryPortCanMoveToAnotherProtocol) {
    configure_ports("1-65535");
    model::Config changed = config_;
    changed.farms[0].proto = model::Protocol::udp;
    configure(changed);
    expect_passed(8050);
    FrameSpec datagram = from_client(family().vip, 40000, 8050, kUdp);
    expect_frame(run_from_client(build_frame(datagram)), XDP_REDIRECT, build_frame(to_backend1(datagram, 8050)));
}

TEST_P(PortRange, DeletedFarmLeavesNoPortBehind) {
    configure_ports("8000-8100");
    configure({});
    expect_passed(8000);
    expect_passed(8100);
}

}  // namespace
}  // namespace xdplb::testing
