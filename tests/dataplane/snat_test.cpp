// SNAT mode: the source becomes the LB's address and a port of its own, so that
// replies come back to the LB whatever the backends' routes.
#include <set>

#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;

class Snat : public PerFamily {
protected:
    void SetUp() override {
        PerFamily::SetUp();
        model::Farm web = web_farm(Mode::snat);
        configure({{web}});
    }

    FrameSpec syn(std::uint16_t client_port = 40000) const { return from_client(family().vip, client_port, 80); }

    // The frame the backend must receive, given the source port the program chose.
    static Bytes toward_backend1(const FrameSpec& spec, const std::string& snat_address, std::uint16_t snat_port) {
        FrameSpec expected = to_backend1(spec, 8080);
        expected.src_ip = snat_address;
        expected.sport = snat_port;
        return build_frame(expected);
    }

    std::string snat_pool_address(int last) const {
        return (family().name == std::string("ipv4") ? "198.18.1." : "fd00:1::") + std::to_string(last);
    }
};

XDPLB_FOR_EACH_FAMILY(Snat);

TEST_P(Snat, NewConnectionTakesTheEgressAddressAndAPortInRange) {
    TestRun out = run_from_client(build_frame(syn()));
    std::uint16_t port = source_port_of(out.frame);
    EXPECT_GE(port, 1024);
    EXPECT_LE(port, 32767);
    expect_frame(out, XDP_REDIRECT, toward_backend1(syn(), family().lb_backend_side, port));
}

TEST_P(Snat, ConfiguredSnatAddressIsUsed) {
    model::Config changed = config_;
    changed.farms[0].snat_addrs = {*IpAddress::parse(snat_pool_address(5))};
    configure(changed);

    TestRun out = run_from_client(build_frame(syn()));
    expect_frame(out, XDP_REDIRECT, toward_backend1(syn(), snat_pool_address(5), source_port_of(out.frame)));
}

TEST_P(Snat, ConnectionsSpreadOverTheSnatPoolAndOverflowToFreeAddresses) {
    model::Config changed = config_;
    changed.farms[0].snat_addrs = {*IpAddress::parse(snat_pool_address(5)), *IpAddress::parse(snat_pool_address(6))};
    configure(changed);
    set_snat_ports(5000, 5000);  // one port per address: two connections fill the pool

    std::set<std::string> sources;
    for (std::uint16_t client_port : {40000, 40001}) {
        TestRun out = run_from_client(build_frame(syn(client_port)));
        ASSERT_EQ(out.verdict, XDP_REDIRECT);
        EXPECT_EQ(source_port_of(out.frame), 5000);
        sources.insert(source_address_of(out.frame));
    }
    EXPECT_EQ(sources, (std::set<std::string>{snat_pool_address(5), snat_pool_address(6)}));

    Bytes third = build_frame(syn(40002));
    expect_frame(run_from_client(third), XDP_DROP, third);
    EXPECT_EQ(reason_count("drop_snat_exhausted"), 1u);
}

TEST_P(Snat, EstablishedPacketsKeepTheirPort) {
    std::uint16_t port = source_port_of(run_from_client(build_frame(syn())).frame);
    FrameSpec data = syn();
    data.tcp_flags = kAck;
    data.payload = "hello";
    expect_frame(run_from_client(build_frame(data)), XDP_REDIRECT, toward_backend1(data, family().lb_backend_side, port));
}

TEST_P(Snat, ReplyToTheSnatPortIsTranslatedBackToTheClient) {
    std::uint16_t port = source_port_of(run_from_client(build_frame(syn())).frame);

    FrameSpec reply = from_backend1(8080, family().lb_backend_side, port, kSyn | kAck);
    reply.payload = "reply payload";
    FrameSpec expected = forwarded(reply, kEth0Mac, kClientMac);
    expected.src_ip = family().vip;
    expected.sport = 80;
    expected.dst_ip = family().client;
    expected.dport = 40000;
    expect_frame(run_from_backends(build_frame(reply)), XDP_REDIRECT, build_frame(expected));
}

TEST_P(Snat, ConcurrentConnectionsNeverShareAPort) {
    std::set<std::uint16_t> ports;
    for (std::uint16_t client_port = 20000; client_port < 20500; ++client_port) {
        TestRun out = run_from_client(build_frame(syn(client_port)));
        ASSERT_EQ(out.verdict, XDP_REDIRECT);
        ports.insert(source_port_of(out.frame));
    }
    EXPECT_EQ(ports.size(), 500u);
}

TEST_P(Snat, ExhaustedPortRangeRefusesTheNewConnectionOnly) {
    set_snat_ports(5000, 5000);
    TestRun out = run_from_client(build_frame(syn()));
    ASSERT_EQ(out.verdict, XDP_REDIRECT);
    EXPECT_EQ(source_port_of(out.frame), 5000);

    Bytes second = build_frame(syn(40001));
    expect_frame(run_from_client(second), XDP_DROP, second);
    EXPECT_EQ(reason_count("drop_snat_exhausted"), 1u);

    FrameSpec first_again = syn();
    first_again.tcp_flags = kAck;
    expect_frame(run_from_client(build_frame(first_again)), XDP_REDIRECT,
                 toward_backend1(first_again, family().lb_backend_side, 5000));
}

}  // namespace
}  // namespace xdplb::testing
