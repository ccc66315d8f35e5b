// The life of a connection entry: closing marks, re-selection on a reused
// tuple, and reclaiming the tuples of stale connections.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <xdplb/abi.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;

class Conntrack : public DataPlaneTest {
protected:
    void configure_web(Mode mode, model::AdminState b1_state, model::AdminState b2_state) {
        model::Farm web = farm("web", mode, 80);
        web.backends = {backend("b1", LabAddresses::kBackend1, 8080), backend("b2", LabAddresses::kBackend2, 8080)};
        web.backends[0].state = b1_state;
        web.backends[1].state = b2_state;
        configure({{web}});
    }

    static FrameSpec syn() { return from_client(LabAddresses::kVip, 40000, 80); }

    static FrameSpec with_flags(FrameSpec spec, std::uint8_t flags) {
        spec.tcp_flags = flags;
        return spec;
    }

    // The destination address the program sent a client frame to.
    std::string backend_reached(const FrameSpec& spec) {
        TestRun out = run_from_client(build_frame(spec));
        EXPECT_EQ(out.verdict, XDP_REDIRECT);
        char text[16];
        std::snprintf(text, sizeof(text), "%u.%u.%u.%u", out.frame[30], out.frame[31], out.frame[32], out.frame[33]);
        return text;
    }
};

TEST_F(Conntrack, SynRetransmissionFollowsTheOpenConnection) {
    configure_web(Mode::dnat, model::AdminState::up, model::AdminState::maint);
    EXPECT_EQ(backend_reached(syn()), LabAddresses::kBackend1);
    configure_web(Mode::dnat, model::AdminState::maint, model::AdminState::up);
    EXPECT_EQ(backend_reached(syn()), LabAddresses::kBackend1);
}

TEST_F(Conntrack, SynAfterResetOpensANewConnection) {
    configure_web(Mode::dnat, model::AdminState::up, model::AdminState::maint);
    EXPECT_EQ(backend_reached(syn()), LabAddresses::kBackend1);
    backend_reached(with_flags(syn(), kRst | kAck));
    configure_web(Mode::dnat, model::AdminState::maint, model::AdminState::up);
    EXPECT_EQ(backend_reached(syn()), LabAddresses::kBackend2);
    EXPECT_EQ(counters_->farm(config_.farms[0].id).connections, 2u);
}

TEST_F(Conntrack, FinFromTheBackendAlsoClosesTheClientsEntry) {
    configure_web(Mode::dnat, model::AdminState::up, model::AdminState::maint);
    backend_reached(syn());

    FrameSpec fin = from_backend1(8080, LabAddresses::kClient, 40000, kFin | kAck);
    ASSERT_EQ(run_from_backends(build_frame(fin)).verdict, XDP_REDIRECT);

    configure_web(Mode::dnat, model::AdminState::maint, model::AdminState::up);
    EXPECT_EQ(backend_reached(syn()), LabAddresses::kBackend2);
}

TEST_F(Conntrack, ResetConnectionGivesUpItsSnatPortAfterTheCloseTimeout) {
    configure_web(Mode::snat, model::AdminState::up, model::AdminState::maint);
    set_settings({.snat_ports = {5000, 5000}, .tcp_close_timeout_s = 0});

    TestRun first = run_from_client(build_frame(syn()));
    ASSERT_EQ(source_port_of(first.frame), 5000);
    run_from_client(build_frame(with_flags(syn(), kRst | kAck)));

    FrameSpec other_client = from_client(LabAddresses::kVip, 40001, 80);
    TestRun second = run_from_client(build_frame(other_client));
    EXPECT_EQ(second.verdict, XDP_REDIRECT);
    EXPECT_EQ(source_port_of(second.frame), 5000);

    // The first connection's entries are gone with its port.
    Bytes late_ack = build_frame(with_flags(syn(), kAck));
    expect_frame(run_from_client(late_ack), XDP_PASS, late_ack);
}

TEST_F(Conntrack, ConnectionClosedFirstByTheClientGivesUpItsSnatPortAfterTheCloseTimeout) {
    configure_web(Mode::snat, model::AdminState::up, model::AdminState::maint);
    set_settings({.snat_ports = {5000, 5000}, .tcp_time_wait_timeout_s = 120, .tcp_close_timeout_s = 0});
    run_from_client(build_frame(syn()));
    run_from_client(build_frame(with_flags(syn(), kFin | kAck)));

    TestRun second = run_from_client(build_frame(from_client(LabAddresses::kVip, 40001, 80)));
    EXPECT_EQ(second.verdict, XDP_REDIRECT);
    EXPECT_EQ(source_port_of(second.frame), 5000);
}

// The backend closed first, so it holds TIME_WAIT on (backend, SNAT address,
// port): a new connection on that port would be refused by it.
TEST_F(Conntrack, ConnectionClosedFirstByTheBackendKeepsItsSnatPortThroughTimeWait) {
    configure_web(Mode::snat, model::AdminState::up, model::AdminState::maint);
    set_settings({.snat_ports = {5000, 5000}, .tcp_time_wait_timeout_s = 120, .tcp_close_timeout_s = 0});
    run_from_client(build_frame(syn()));
    run_from_backends(build_frame(from_backend1(8080, LabAddresses::kLbBackendSide, 5000, kFin | kAck)));
    run_from_client(build_frame(with_flags(syn(), kFin | kAck)));

    Bytes other_client = build_frame(from_client(LabAddresses::kVip, 40001, 80));
    expect_frame(run_from_client(other_client), XDP_DROP, other_client);
}

TEST_F(Conntrack, ConnectionClosedFirstByTheBackendGivesUpItsSnatPortAfterTimeWait) {
    configure_web(Mode::snat, model::AdminState::up, model::AdminState::maint);
    set_settings({.snat_ports = {5000, 5000}, .tcp_time_wait_timeout_s = 0});
    run_from_client(build_frame(syn()));
    run_from_backends(build_frame(from_backend1(8080, LabAddresses::kLbBackendSide, 5000, kFin | kAck)));

    TestRun second = run_from_client(build_frame(from_client(LabAddresses::kVip, 40001, 80)));
    EXPECT_EQ(second.verdict, XDP_REDIRECT);
    EXPECT_EQ(source_port_of(second.frame), 5000);
}

TEST_F(Conntrack, OpenConnectionKeepsItsSnatPortHoweverLongItIdles) {
    configure_web(Mode::snat, model::AdminState::up, model::AdminState::maint);
    set_settings({.snat_ports = {5000, 5000}, .tcp_time_wait_timeout_s = 0, .tcp_close_timeout_s = 0});
    run_from_client(build_frame(syn()));

    Bytes other_client = build_frame(from_client(LabAddresses::kVip, 40001, 80));
    expect_frame(run_from_client(other_client), XDP_DROP, other_client);
    EXPECT_EQ(reason_count("drop_snat_exhausted"), 1u);
}

class ConntrackUdp : public Conntrack {
protected:
    void SetUp() override {
        Conntrack::SetUp();
        model::Farm dns = farm("dns", Mode::snat, 53, model::Protocol::udp);
        dns.backends = {backend("b1", LabAddresses::kBackend1, 53)};
        configure({{dns}});
    }

    TestRun datagram(std::uint16_t client_port) {
        return run_from_client(build_frame(from_client(LabAddresses::kVip, client_port, 53, kUdp)));
    }

    TestRun reply(std::uint16_t snat_port) {
        FrameSpec answer = from_backend1(53, LabAddresses::kLbBackendSide, snat_port, 0);
        answer.proto = kUdp;
        return run_from_backends(build_frame(answer));
    }
};

TEST_F(ConntrackUdp, UnansweredFlowGivesUpItsSnatPortAfterTheUnansweredTimeout) {
    set_settings({.snat_ports = {5000, 5000}, .unanswered_timeout_s = 0, .udp_timeout_s = 300});
    datagram(40000);
    TestRun second = datagram(40001);
    EXPECT_EQ(second.verdict, XDP_REDIRECT);
    EXPECT_EQ(source_port_of(second.frame), 5000);
}

TEST_F(ConntrackUdp, AnsweredFlowKeepsItsSnatPortUntilTheUdpTimeout) {
    set_settings({.snat_ports = {5000, 5000}, .udp_timeout_s = 300});
    datagram(40000);
    ASSERT_EQ(reply(5000).verdict, XDP_REDIRECT);
    ASSERT_EQ(datagram(40000).verdict, XDP_REDIRECT);  // the client's second datagram confirms the flow

    set_settings({.snat_ports = {5000, 5000}, .unanswered_timeout_s = 0, .udp_timeout_s = 300});
    EXPECT_EQ(datagram(40001).verdict, XDP_DROP);

    set_settings({.snat_ports = {5000, 5000}, .unanswered_timeout_s = 0, .udp_timeout_s = 0});
    EXPECT_EQ(source_port_of(datagram(40001).frame), 5000);
}

// The silent half of a one-way stream is kept alive by the other half.
TEST_F(ConntrackUdp, OneWayStreamKeepsItsSnatPortWhileItFlows) {
    set_settings({.snat_ports = {5000, 5000}, .unanswered_timeout_s = 1});
    datagram(40000);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    ASSERT_EQ(datagram(40000).verdict, XDP_REDIRECT);
    EXPECT_EQ(datagram(40001).verdict, XDP_DROP);
}

// An LRU table may evict one half of a connection; a new connection may then
// take its tuple. The surviving half must not send the old client's packets
// into the new connection.
TEST_F(Conntrack, SurvivingHalfOfAnEvictedConnectionIsForgotten) {
    configure_web(Mode::snat, model::AdminState::up, model::AdminState::maint);
    set_settings({.snat_ports = {5000, 5000}});
    run_from_client(build_frame(syn()));
    run_from_backends(build_frame(from_backend1(8080, LabAddresses::kLbBackendSide, 5000, kSyn | kAck)));
    run_from_client(build_frame(with_flags(syn(), kAck)));  // established: in the connection table

    xdplb_flow_key reply_key{};
    inet_pton(AF_INET, LabAddresses::kBackend1, &reply_key.src);
    inet_pton(AF_INET, LabAddresses::kLbBackendSide, &reply_key.dst);
    reply_key.sport = htons(8080);
    reply_key.dport = htons(5000);
    reply_key.proto = IPPROTO_TCP;
    reply_key.family = AF_INET;
    ASSERT_EQ(bpf_map_delete_elem(program_->map_fd("conntrack"), &reply_key), 0);

    TestRun other_client = run_from_client(build_frame(from_client(LabAddresses::kVip, 40001, 80)));
    ASSERT_EQ(other_client.verdict, XDP_REDIRECT);
    ASSERT_EQ(source_port_of(other_client.frame), 5000);

    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // past the once-a-second check
    Bytes late_data = build_frame(with_flags(syn(), kAck));
    expect_frame(run_from_client(late_data), XDP_PASS, late_data);
}

}  // namespace
}  // namespace xdplb::testing
