// DNAT mode: the destination becomes the backend, replies get the VIP back.
#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;

class Dnat : public PerFamily {
protected:
    void SetUp() override {
        PerFamily::SetUp();
        model::Farm web = web_farm(Mode::dnat);
        configure({{web}});
    }

    void configure_udp(std::optional<std::uint16_t> backend_port) {
        model::Farm dns = farm("dns", Mode::dnat, 53, model::Protocol::udp, family());
        dns.backends = {backend("b1", family().backend1, backend_port)};
        configure({{dns}});
    }

    FrameSpec syn(std::uint16_t client_port = 40000) const { return from_client(family().vip, client_port, 80); }
    static Bytes toward_backend1(const FrameSpec& spec) { return build_frame(to_backend1(spec, 8080)); }
};

XDPLB_FOR_EACH_FAMILY(Dnat);

TEST_P(Dnat, NewConnectionIsRewrittenToTheBackendAndRedirected) {
    expect_frame(run_from_client(build_frame(syn())), XDP_REDIRECT, toward_backend1(syn()));
}

TEST_P(Dnat, EstablishedPacketsFollowTheirEntry) {
    run_from_client(build_frame(syn()));
    FrameSpec data = syn();
    data.tcp_flags = kAck;
    data.payload = "GET / HTTP/1.0\r\n\r\n";
    expect_frame(run_from_client(build_frame(data)), XDP_REDIRECT, toward_backend1(data));
}

TEST_P(Dnat, EstablishedConnectionKeepsItsBackendWhenTheFarmChanges) {
    run_from_client(build_frame(syn()));

    model::Config changed = config_;
    changed.farms[0].backends[0].state = model::AdminState::drain;
    changed.farms[0].backends.push_back(backend("b2", family().backend2, 8080, 100));
    configure(changed);

    FrameSpec data = syn();
    data.tcp_flags = kAck;
    expect_frame(run_from_client(build_frame(data)), XDP_REDIRECT, toward_backend1(data));
}

TEST_P(Dnat, ReplyGetsTheVipAsSourceAndGoesToTheClient) {
    run_from_client(build_frame(syn()));

    FrameSpec reply = from_backend1(8080, family().client, 40000, kSyn | kAck);
    FrameSpec expected = forwarded(reply, kEth0Mac, kClientMac);
    expected.src_ip = family().vip;
    expected.sport = 80;
    expect_frame(run_from_backends(build_frame(reply)), XDP_REDIRECT, build_frame(expected));
}

TEST_P(Dnat, BackendWithoutPortKeepsTheClientsDestinationPort) {
    model::Farm web = farm("web", Mode::dnat, 80, model::Protocol::tcp, family());
    web.backends = {backend("b1", family().backend1, std::nullopt)};
    configure({{web}});
    expect_frame(run_from_client(build_frame(syn(40001))), XDP_REDIRECT, build_frame(to_backend1(syn(40001), 80)));
}

TEST_P(Dnat, UdpDatagramIsRewrittenWithItsChecksum) {
    configure_udp(5353);
    FrameSpec query = from_client(family().vip, 40002, 53, kUdp);
    query.payload = "query";
    expect_frame(run_from_client(build_frame(query)), XDP_REDIRECT, build_frame(to_backend1(query, 5353)));
}

TEST_P(Dnat, NewConnectionIsCountedOnceForFarmAndBackend) {
    run_from_client(build_frame(syn(40004)));
    FrameSpec data = syn(40004);
    data.tcp_flags = kAck;
    Bytes data_frame = build_frame(data);
    run_from_client(data_frame);

    const std::uint64_t l3_bytes = data_frame.size() - 14;
    dataplane::FlowCounters farm_counters = counters_->farm(config_.farms[0].id);
    dataplane::FlowCounters backend_counters = counters_->backend(config_.farms[0].backends[0].id);
    EXPECT_EQ(farm_counters.connections, 1u);
    EXPECT_EQ(farm_counters.to_backend.packets, 2u);
    EXPECT_EQ(farm_counters.to_backend.bytes, 2u * l3_bytes);
    EXPECT_EQ(backend_counters.connections, 1u);
    EXPECT_EQ(backend_counters.to_backend.packets, 2u);
}

// IPv4 only: an IPv6 UDP datagram must always carry a checksum.
TEST_F(DataPlaneTest, Ipv4UdpWithoutChecksumStaysWithout) {
    model::Farm dns = farm("dns", Mode::dnat, 53, model::Protocol::udp);
    dns.backends = {backend("b1", LabAddresses::kBackend1, 5353)};
    configure({{dns}});

    FrameSpec query = from_client(LabAddresses::kVip, 40003, 53, kUdp);
    query.udp_without_checksum = true;
    query.payload = "q";
    expect_frame(run_from_client(build_frame(query)), XDP_REDIRECT, build_frame(to_backend1(query, 5353)));
}

}  // namespace
}  // namespace xdplb::testing
