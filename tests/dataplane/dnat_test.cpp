// DNAT mode: the destination becomes the backend, replies get the VIP back.
#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;

class Dnat : public DataPlaneTest {
protected:
    void SetUp() override {
        DataPlaneTest::SetUp();
        model::Farm web = farm("web", Mode::dnat, 80);
        web.backends = {backend("b1", LabAddresses::kBackend1, 8080)};
        configure({{web}});
    }

    // What the backend must receive for a client frame: new destination,
    // next hop's MACs, one hop less.
    static Bytes toward_backend1(FrameSpec spec) {
        spec.src_mac = kEth1Mac;
        spec.dst_mac = kBackend1Mac;
        spec.dst_ip = LabAddresses::kBackend1;
        spec.dport = 8080;
        spec.ttl -= 1;
        return build_frame(spec);
    }
};

TEST_F(Dnat, NewConnectionIsRewrittenToTheBackendAndRedirected) {
    FrameSpec syn = from_client(LabAddresses::kVip, 40000, 80);
    expect_frame(run_from_client(build_frame(syn)), XDP_REDIRECT, toward_backend1(syn));
}

TEST_F(Dnat, EstablishedPacketsFollowTheirEntry) {
    FrameSpec syn = from_client(LabAddresses::kVip, 40000, 80);
    run_from_client(build_frame(syn));
    FrameSpec data = syn;
    data.tcp_flags = kAck;
    data.payload = "GET / HTTP/1.0\r\n\r\n";
    expect_frame(run_from_client(build_frame(data)), XDP_REDIRECT, toward_backend1(data));
}

TEST_F(Dnat, EstablishedConnectionKeepsItsBackendWhenTheFarmChanges) {
    FrameSpec syn = from_client(LabAddresses::kVip, 40000, 80);
    run_from_client(build_frame(syn));

    model::Config changed = config_;
    changed.farms[0].backends[0].state = model::AdminState::drain;
    changed.farms[0].backends.push_back(backend("b2", LabAddresses::kBackend2, 8080, 100));
    configure(changed);

    FrameSpec data = syn;
    data.tcp_flags = kAck;
    expect_frame(run_from_client(build_frame(data)), XDP_REDIRECT, toward_backend1(data));
}

TEST_F(Dnat, ReplyGetsTheVipAsSourceAndGoesToTheClient) {
    run_from_client(build_frame(from_client(LabAddresses::kVip, 40000, 80)));

    FrameSpec reply;
    reply.src_mac = kBackend1Mac;
    reply.dst_mac = kEth1Mac;
    reply.src_ip = LabAddresses::kBackend1;
    reply.dst_ip = LabAddresses::kClient;
    reply.sport = 8080;
    reply.dport = 40000;
    reply.tcp_flags = kSyn | kAck;

    FrameSpec expected = reply;
    expected.src_mac = kEth0Mac;
    expected.dst_mac = kClientMac;
    expected.src_ip = LabAddresses::kVip;
    expected.sport = 80;
    expected.ttl -= 1;
    expect_frame(run_from_backends(build_frame(reply)), XDP_REDIRECT, build_frame(expected));
}

TEST_F(Dnat, BackendWithoutPortKeepsTheClientsDestinationPort) {
    model::Farm web = farm("web", Mode::dnat, 80);
    web.backends = {backend("b1", LabAddresses::kBackend1, std::nullopt)};
    configure({{web}});

    FrameSpec syn = from_client(LabAddresses::kVip, 40001, 80);
    FrameSpec expected = syn;
    expected.src_mac = kEth1Mac;
    expected.dst_mac = kBackend1Mac;
    expected.dst_ip = LabAddresses::kBackend1;
    expected.ttl -= 1;
    expect_frame(run_from_client(build_frame(syn)), XDP_REDIRECT, build_frame(expected));
}

TEST_F(Dnat, UdpDatagramIsRewrittenWithItsChecksum) {
    model::Farm dns = farm("dns", Mode::dnat, 53, model::Protocol::udp);
    dns.backends = {backend("b1", LabAddresses::kBackend1, 5353)};
    configure({{dns}});

    FrameSpec query = from_client(LabAddresses::kVip, 40002, 53, kUdp);
    query.payload = "query";
    FrameSpec expected = query;
    expected.src_mac = kEth1Mac;
    expected.dst_mac = kBackend1Mac;
    expected.dst_ip = LabAddresses::kBackend1;
    expected.dport = 5353;
    expected.ttl -= 1;
    expect_frame(run_from_client(build_frame(query)), XDP_REDIRECT, build_frame(expected));
}

TEST_F(Dnat, UdpWithoutChecksumStaysWithout) {
    model::Farm dns = farm("dns", Mode::dnat, 53, model::Protocol::udp);
    dns.backends = {backend("b1", LabAddresses::kBackend1, 5353)};
    configure({{dns}});

    FrameSpec query = from_client(LabAddresses::kVip, 40003, 53, kUdp);
    query.udp_without_checksum = true;
    query.payload = "q";
    FrameSpec expected = query;
    expected.src_mac = kEth1Mac;
    expected.dst_mac = kBackend1Mac;
    expected.dst_ip = LabAddresses::kBackend1;
    expected.dport = 5353;
    expected.ttl -= 1;
    expect_frame(run_from_client(build_frame(query)), XDP_REDIRECT, build_frame(expected));
}

TEST_F(Dnat, NewConnectionIsCountedOnceForFarmAndBackend) {
    FrameSpec syn = from_client(LabAddresses::kVip, 40004, 80);
    run_from_client(build_frame(syn));
    FrameSpec data = syn;
    data.tcp_flags = kAck;
    run_from_client(build_frame(data));

    dataplane::FlowCounters farm_counters = counters_->farm(config_.farms[0].id);
    dataplane::FlowCounters backend_counters = counters_->backend(config_.farms[0].backends[0].id);
    EXPECT_EQ(farm_counters.connections, 1u);
    EXPECT_EQ(farm_counters.to_backend.packets, 2u);
    EXPECT_EQ(farm_counters.to_backend.bytes, 2u * 40);
    EXPECT_EQ(backend_counters.connections, 1u);
    EXPECT_EQ(backend_counters.to_backend.packets, 2u);
}

}  // namespace
}  // namespace xdplb::testing
