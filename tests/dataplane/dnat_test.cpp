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

    static Bytes toward_backend1(const FrameSpec& spec) { return build_frame(to_backend1(spec, 8080)); }
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

    FrameSpec reply = from_backend1(8080, LabAddresses::kClient, 40000, kSyn | kAck);
    FrameSpec expected = forwarded(reply, kEth0Mac, kClientMac);
    expected.src_ip = LabAddresses::kVip;
    expected.sport = 80;
    expect_frame(run_from_backends(build_frame(reply)), XDP_REDIRECT, build_frame(expected));
}

TEST_F(Dnat, BackendWithoutPortKeepsTheClientsDestinationPort) {
    model::Farm web = farm("web", Mode::dnat, 80);
    web.backends = {backend("b1", LabAddresses::kBackend1, std::nullopt)};
    configure({{web}});

    FrameSpec syn = from_client(LabAddresses::kVip, 40001, 80);
    expect_frame(run_from_client(build_frame(syn)), XDP_REDIRECT, build_frame(to_backend1(syn, 80)));
}

TEST_F(Dnat, UdpDatagramIsRewrittenWithItsChecksum) {
    model::Farm dns = farm("dns", Mode::dnat, 53, model::Protocol::udp);
    dns.backends = {backend("b1", LabAddresses::kBackend1, 5353)};
    configure({{dns}});

    FrameSpec query = from_client(LabAddresses::kVip, 40002, 53, kUdp);
    query.payload = "query";
    expect_frame(run_from_client(build_frame(query)), XDP_REDIRECT, build_frame(to_backend1(query, 5353)));
}

TEST_F(Dnat, UdpWithoutChecksumStaysWithout) {
    model::Farm dns = farm("dns", Mode::dnat, 53, model::Protocol::udp);
    dns.backends = {backend("b1", LabAddresses::kBackend1, 5353)};
    configure({{dns}});

    FrameSpec query = from_client(LabAddresses::kVip, 40003, 53, kUdp);
    query.udp_without_checksum = true;
    query.payload = "q";
    expect_frame(run_from_client(build_frame(query)), XDP_REDIRECT, build_frame(to_backend1(query, 5353)));
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
