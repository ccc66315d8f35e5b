// DSR mode: one entry per connection, and packets that leave for the backend
// exactly as they came but for their Ethernet addresses.
#include <bpf/bpf.h>
#include <xdplb/abi.h>

#include <chrono>
#include <thread>
#include <vector>

#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;

class Dsr : public PerFamily {
protected:
    void SetUp() override {
        PerFamily::SetUp();
        configure_farm(80, family().backend1);
    }

    void configure_farm(model::PortSet ports, const std::string& backend_ip,
                        model::Protocol proto = model::Protocol::tcp) {
        model::Farm web = farm("web", Mode::dsr, 1, proto, family());
        web.port = std::move(ports);
        web.backends = {backend("b1", backend_ip, std::nullopt)};
        configure({{web}});
    }

    FrameSpec syn(std::uint16_t client_port = 40000, std::uint16_t vip_port = 80) const {
        return from_client(family().vip, client_port, vip_port);
    }

    // `spec` switched to backend 1: out of eth1 to its MAC, nothing else changed.
    static Bytes switched_to_backend1(FrameSpec spec) {
        spec.src_mac = kEth1Mac;
        spec.dst_mac = kBackend1Mac;
        return build_frame(spec);
    }

    static FrameSpec with_flags(FrameSpec spec, std::uint8_t flags, const std::string& payload = "") {
        spec.tcp_flags = flags;
        spec.payload = payload;
        return spec;
    }

    // The entries of both connection tables, established and half-open.
    std::vector<xdplb_flow> conntrack_entries() const {
        std::vector<xdplb_flow> entries;
        for (const char* table : {"conntrack", "conntrack_halfopen"}) {
            int fd = program_->map_fd(table);
            xdplb_flow_key key{};
            xdplb_flow_key next{};
            const xdplb_flow_key* previous = nullptr;
            while (bpf_map_get_next_key(fd, previous, &next) == 0) {
                xdplb_flow flow{};
                if (bpf_map_lookup_elem(fd, &next, &flow) == 0) entries.push_back(flow);
                key = next;
                previous = &key;
            }
        }
        return entries;
    }
};

XDPLB_FOR_EACH_FAMILY(Dsr);

TEST_P(Dsr, NewConnectionLeavesWithOnlyItsMacsChanged) {
    expect_frame(run_from_client(build_frame(syn())), XDP_REDIRECT, switched_to_backend1(syn()));
}

TEST_P(Dsr, TrackedPacketsLeaveWithOnlyTheirMacsChanged) {
    run_from_client(build_frame(syn()));
    FrameSpec data = with_flags(syn(), kAck, "GET / HTTP/1.0\r\n\r\n");
    expect_frame(run_from_client(build_frame(data)), XDP_REDIRECT, switched_to_backend1(data));
}

TEST_P(Dsr, UdpDatagramLeavesWithOnlyItsMacsChanged) {
    configure_farm(53, family().backend1, model::Protocol::udp);
    FrameSpec query = from_client(family().vip, 40002, 53, kUdp);
    query.payload = "query";
    expect_frame(run_from_client(build_frame(query)), XDP_REDIRECT, switched_to_backend1(query));
}

// The frame is switched, not routed: its TTL is the client's business.
TEST_P(Dsr, TtlOfOneIsNotExpired) {
    FrameSpec last_hop = syn();
    last_hop.ttl = 1;
    expect_frame(run_from_client(build_frame(last_hop)), XDP_REDIRECT, switched_to_backend1(last_hop));
}

TEST_P(Dsr, RecordsOneAnsweredEntryAndNoReplyEntry) {
    run_from_client(build_frame(syn()));
    std::vector<xdplb_flow> entries = conntrack_entries();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].direction, XDPLB_DIR_DSR);
    EXPECT_EQ(entries[0].replied, 1);
    EXPECT_EQ(entries[0].backend_id, config_.farms[0].backends[0].id);
}

// The balancer never sees a reply: neither the unanswered timeout nor the
// once-a-second check of the (absent) opposite entry may end the connection.
TEST_P(Dsr, IdleConnectionOutlivesTheUnansweredTimeoutAndTheOppositeCheck) {
    set_settings({.snat_ports = {1024, 32767}, .unanswered_timeout_s = 1});
    run_from_client(build_frame(syn()));
    run_from_client(build_frame(with_flags(syn(), kAck)));
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    FrameSpec data = with_flags(syn(), kAck, "late");
    expect_frame(run_from_client(build_frame(data)), XDP_REDIRECT, switched_to_backend1(data));
    FrameSpec more = with_flags(syn(), kAck, "more");
    expect_frame(run_from_client(build_frame(more)), XDP_REDIRECT, switched_to_backend1(more));
}

TEST_P(Dsr, ClientFinMarksTheConnectionClosedByTheClient) {
    run_from_client(build_frame(syn()));
    run_from_client(build_frame(with_flags(syn(), kFin | kAck)));
    std::vector<xdplb_flow> entries = conntrack_entries();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].closing, XDPLB_FIN_FROM_CLIENT);
}

TEST_P(Dsr, CountsItsPacketsTowardTheBackend) {
    Bytes syn_frame = build_frame(syn());
    run_from_client(syn_frame);
    run_from_client(build_frame(with_flags(syn(), kAck)));
    dataplane::FlowCounters counters = counters_->farm(config_.farms[0].id);
    EXPECT_EQ(counters.connections, 1u);
    EXPECT_EQ(counters.to_backend.packets, 2u);
    EXPECT_EQ(counters.to_backend.bytes, 2u * (syn_frame.size() - 14));
    EXPECT_EQ(counters.to_client.packets, 0u);
}

TEST_P(Dsr, BackendOfARangeFarmGetsTheClientsPort) {
    configure_farm(model::PortSet::parse("8000-8100"), family().backend1);
    expect_frame(run_from_client(build_frame(syn(40000, 8050))), XDP_REDIRECT, switched_to_backend1(syn(40000, 8050)));
}

TEST_P(Dsr, BackendBehindAGatewayIsDroppedAndCounted) {
    configure_farm(80, family().behind_gateway);
    EXPECT_EQ(run_from_client(build_frame(syn())).verdict, XDP_DROP);
    EXPECT_EQ(reason_count("drop_dsr_not_on_link"), 1u);
    EXPECT_TRUE(conntrack_entries().empty());
}

TEST_P(Dsr, BackendWithoutNeighbourIsDroppedAndCounted) {
    configure_farm(80, family().without_neighbour);
    EXPECT_EQ(run_from_client(build_frame(syn())).verdict, XDP_DROP);
    EXPECT_EQ(reason_count("drop_dsr_no_neighbour"), 1u);
    EXPECT_TRUE(conntrack_entries().empty());
}

}  // namespace
}  // namespace xdplb::testing
