// SNAT mode: the source becomes the LB's address and a port of its own, so that
// replies come back to the LB whatever the backends' routes.
#include <set>

#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;

class Snat : public DataPlaneTest {
protected:
    void SetUp() override {
        DataPlaneTest::SetUp();
        model::Farm web = farm("web", Mode::snat, 80);
        web.backends = {backend("b1", LabAddresses::kBackend1, 8080)};
        configure({{web}});
    }

    // The frame the backend must receive, given the source port the program chose.
    static Bytes toward_backend1(const FrameSpec& spec, const char* snat_address, std::uint16_t snat_port) {
        FrameSpec expected = to_backend1(spec, 8080);
        expected.src_ip = snat_address;
        expected.sport = snat_port;
        return build_frame(expected);
    }
};

TEST_F(Snat, NewConnectionTakesTheEgressAddressAndAPortInRange) {
    FrameSpec syn = from_client(LabAddresses::kVip, 40000, 80);
    TestRun out = run_from_client(build_frame(syn));
    std::uint16_t port = source_port_of(out.frame);
    EXPECT_GE(port, 1024);
    EXPECT_LE(port, 32767);
    expect_frame(out, XDP_REDIRECT, toward_backend1(syn, LabAddresses::kLbBackendSide, port));
}

TEST_F(Snat, ConfiguredSnatAddressIsUsed) {
    model::Config changed = config_;
    changed.farms[0].snat_addr = IpAddress::parse("198.18.1.5");
    configure(changed);

    FrameSpec syn = from_client(LabAddresses::kVip, 40000, 80);
    TestRun out = run_from_client(build_frame(syn));
    expect_frame(out, XDP_REDIRECT, toward_backend1(syn, "198.18.1.5", source_port_of(out.frame)));
}

TEST_F(Snat, EstablishedPacketsKeepTheirPort) {
    FrameSpec syn = from_client(LabAddresses::kVip, 40000, 80);
    std::uint16_t port = source_port_of(run_from_client(build_frame(syn)).frame);
    FrameSpec data = syn;
    data.tcp_flags = kAck;
    data.payload = "hello";
    expect_frame(run_from_client(build_frame(data)), XDP_REDIRECT,
                 toward_backend1(data, LabAddresses::kLbBackendSide, port));
}

TEST_F(Snat, ReplyToTheSnatPortIsTranslatedBackToTheClient) {
    FrameSpec syn = from_client(LabAddresses::kVip, 40000, 80);
    std::uint16_t port = source_port_of(run_from_client(build_frame(syn)).frame);

    FrameSpec reply = from_backend1(8080, LabAddresses::kLbBackendSide, port, kSyn | kAck);
    reply.payload = "reply payload";

    FrameSpec expected = forwarded(reply, kEth0Mac, kClientMac);
    expected.src_ip = LabAddresses::kVip;
    expected.sport = 80;
    expected.dst_ip = LabAddresses::kClient;
    expected.dport = 40000;
    expect_frame(run_from_backends(build_frame(reply)), XDP_REDIRECT, build_frame(expected));
}

TEST_F(Snat, ConcurrentConnectionsNeverShareAPort) {
    std::set<std::uint16_t> ports;
    for (std::uint16_t client_port = 20000; client_port < 20500; ++client_port) {
        TestRun out = run_from_client(build_frame(from_client(LabAddresses::kVip, client_port, 80)));
        ASSERT_EQ(out.verdict, XDP_REDIRECT);
        ports.insert(source_port_of(out.frame));
    }
    EXPECT_EQ(ports.size(), 500u);
}

TEST_F(Snat, ExhaustedPortRangeRefusesTheNewConnectionOnly) {
    set_snat_ports(5000, 5000);
    FrameSpec first = from_client(LabAddresses::kVip, 40000, 80);
    TestRun out = run_from_client(build_frame(first));
    ASSERT_EQ(out.verdict, XDP_REDIRECT);
    EXPECT_EQ(source_port_of(out.frame), 5000);

    FrameSpec second = from_client(LabAddresses::kVip, 40001, 80);
    Bytes second_frame = build_frame(second);
    expect_frame(run_from_client(second_frame), XDP_DROP, second_frame);
    EXPECT_EQ(reason_count("drop_snat_exhausted"), 1u);

    FrameSpec first_again = first;
    first_again.tcp_flags = kAck;
    expect_frame(run_from_client(build_frame(first_again)), XDP_REDIRECT,
                 toward_backend1(first_again, LabAddresses::kLbBackendSide, 5000));
}

}  // namespace
}  // namespace xdplb::testing
