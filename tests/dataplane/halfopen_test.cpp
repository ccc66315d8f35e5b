// Half-open connections: kept in conntrack_halfopen until confirmed, so that a
// flood of spoofed SYNs can evict nothing but its own kind.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <xdplb/abi.h>

#include <cstring>

#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;

std::size_t entries_in(int map_fd) { return keys_in<xdplb_flow_key>(map_fd); }

class HalfOpen : public PerFamily {
protected:
    void SetUp() override {
        PerFamily::SetUp();
        model::Farm web = web_farm(Mode::snat);
        configure({{web}});
    }

    std::size_t established() const { return entries_in(program_->map_fd("conntrack")); }
    std::size_t half_open() const { return entries_in(program_->map_fd("conntrack_halfopen")); }

    FrameSpec client_packet(std::uint16_t client_port, std::uint8_t flags) const {
        FrameSpec spec = from_client(family().vip, client_port, 80);
        spec.tcp_flags = flags;
        return spec;
    }

    // SYN, SYN-ACK, ACK through the program; returns the connection's SNAT port.
    std::uint16_t handshake(std::uint16_t client_port) {
        TestRun syn = run_from_client(build_frame(client_packet(client_port, kSyn)));
        EXPECT_EQ(syn.verdict, XDP_REDIRECT);
        std::uint16_t snat_port = source_port_of(syn.frame);
        FrameSpec syn_ack = from_backend1(8080, family().lb_backend_side, snat_port, kSyn | kAck);
        EXPECT_EQ(run_from_backends(build_frame(syn_ack)).verdict, XDP_REDIRECT);
        EXPECT_EQ(run_from_client(build_frame(client_packet(client_port, kAck))).verdict, XDP_REDIRECT);
        return snat_port;
    }

    // A SYN from a source nobody will ever hear from again.
    Bytes spoofed_syn(int index) const {
        FrameSpec spec = client_packet(static_cast<std::uint16_t>(1024 + index % 50000), kSyn);
        bool ipv4 = family().name == std::string("ipv4");
        spec.src_ip = ipv4 ? "198.19." + std::to_string(index / 250 % 250) + "." + std::to_string(1 + index % 250)
                           : "fd00:19::" + std::to_string(1 + index % 9000);
        return build_frame(spec);
    }

    // The frame the client receives for a backend frame from port 8080 to the SNAT port.
    FrameSpec toward_client(std::uint16_t client_port, std::uint8_t flags) const {
        FrameSpec expected = forwarded(from_backend1(8080, family().client, client_port, flags), kEth0Mac, kClientMac);
        expected.src_ip = family().vip;
        expected.sport = 80;
        return expected;
    }
};

XDPLB_FOR_EACH_FAMILY(HalfOpen);

TEST_P(HalfOpen, ConnectionMovesToTheConnectionTableAtTheClientsAck) {
    TestRun syn = run_from_client(build_frame(client_packet(40000, kSyn)));
    ASSERT_EQ(syn.verdict, XDP_REDIRECT);
    EXPECT_EQ(half_open(), 2u);
    EXPECT_EQ(established(), 0u);

    // The backend's answer does not confirm: a spoofed client would never see it.
    std::uint16_t snat_port = source_port_of(syn.frame);
    FrameSpec syn_ack = from_backend1(8080, family().lb_backend_side, snat_port, kSyn | kAck);
    expect_frame(run_from_backends(build_frame(syn_ack)), XDP_REDIRECT, build_frame(toward_client(40000, kSyn | kAck)));
    EXPECT_EQ(half_open(), 2u);
    EXPECT_EQ(established(), 0u);

    FrameSpec ack = client_packet(40000, kAck);
    FrameSpec expected = to_backend1(ack, 8080);
    expected.src_ip = family().lb_backend_side;
    expected.sport = snat_port;
    expect_frame(run_from_client(build_frame(ack)), XDP_REDIRECT, build_frame(expected));
    EXPECT_EQ(half_open(), 0u);
    EXPECT_EQ(established(), 2u);

    // Both directions keep working from the connection table.
    FrameSpec data = from_backend1(8080, family().lb_backend_side, snat_port, kAck);
    expect_frame(run_from_backends(build_frame(data)), XDP_REDIRECT, build_frame(toward_client(40000, kAck)));
}

TEST_P(HalfOpen, ClientPacketsBeforeTheAnswerDoNotConfirm) {
    ASSERT_EQ(run_from_client(build_frame(client_packet(40000, kSyn))).verdict, XDP_REDIRECT);
    ASSERT_EQ(run_from_client(build_frame(client_packet(40000, kAck))).verdict, XDP_REDIRECT);
    EXPECT_EQ(half_open(), 2u);
    EXPECT_EQ(established(), 0u);
}

TEST_P(HalfOpen, SynFloodEvictsNeitherEstablishedConnectionsNorNewOnes) {
    std::uint16_t snat_port = handshake(40000);
    ASSERT_EQ(established(), 2u);

    // The fixture's half-open table holds 1024 entries: 3000 SYNs overflow it.
    for (int i = 0; i < 3000; ++i) ASSERT_EQ(run_from_client(spoofed_syn(i)).verdict, XDP_REDIRECT);
    EXPECT_EQ(established(), 2u);
    EXPECT_LE(half_open(), 1024u);

    FrameSpec data = from_backend1(8080, family().lb_backend_side, snat_port, kAck);
    expect_frame(run_from_backends(build_frame(data)), XDP_REDIRECT, build_frame(toward_client(40000, kAck)));

    // A new connection opened in the middle of the flood completes.
    handshake(40001);
    for (int i = 3000; i < 3100; ++i) run_from_client(spoofed_syn(i));
    EXPECT_EQ(established(), 4u);
}

// A new connection claims its SNAT port in the half-open table, but the port
// must be free in both.
TEST_P(HalfOpen, EstablishedConnectionsPortIsNotClaimedAgain) {
    set_settings({.snat_ports = {5000, 5000}});
    ASSERT_EQ(handshake(40000), 5000);
    ASSERT_EQ(established(), 2u);

    Bytes other = build_frame(client_packet(40001, kSyn));
    expect_frame(run_from_client(other), XDP_DROP, other);
    EXPECT_EQ(reason_count("drop_snat_exhausted"), 1u);

    // Once the established connection is stale, its port may go.
    set_settings({.snat_ports = {5000, 5000}, .tcp_timeout_s = 0});
    TestRun retried = run_from_client(other);
    EXPECT_EQ(retried.verdict, XDP_REDIRECT);
    EXPECT_EQ(source_port_of(retried.frame), 5000);
    EXPECT_EQ(established(), 0u);
    EXPECT_EQ(half_open(), 2u);
}

TEST_P(HalfOpen, HalfEvictedConnectionIsForgottenAndCounted) {
    TestRun syn = run_from_client(build_frame(client_packet(40000, kSyn)));
    xdplb_flow_key client_key{};
    int af = family().name == std::string("ipv4") ? AF_INET : AF_INET6;
    inet_pton(af, family().client, &client_key.src);
    inet_pton(af, family().vip, &client_key.dst);
    client_key.sport = htons(40000);
    client_key.dport = htons(80);
    client_key.proto = IPPROTO_TCP;
    client_key.family = static_cast<__u8>(af);
    ASSERT_EQ(bpf_map_delete_elem(program_->map_fd("conntrack_halfopen"), &client_key), 0);

    Bytes syn_ack = build_frame(from_backend1(8080, family().lb_backend_side, source_port_of(syn.frame), kSyn | kAck));
    expect_frame(run_from_backends(syn_ack), XDP_PASS, syn_ack);
    EXPECT_EQ(reason_count("note_half_evicted"), 1u);
    EXPECT_EQ(half_open(), 0u);
}

class HalfOpenUdp : public PerFamily {
protected:
    void SetUp() override {
        PerFamily::SetUp();
        model::Farm dns = farm("dns", Mode::dnat, 53, model::Protocol::udp, family());
        dns.backends = {backend("b1", family().backend1, 53)};
        configure({{dns}});
    }
};

XDPLB_FOR_EACH_FAMILY(HalfOpenUdp);

// A backend answers spoofed datagrams too: its answer confirms nothing, the
// client's next datagram does.
TEST_P(HalfOpenUdp, BackendsAnswerDoesNotConfirm) {
    Bytes query = build_frame(from_client(family().vip, 40000, 53, kUdp));
    ASSERT_EQ(run_from_client(query).verdict, XDP_REDIRECT);
    EXPECT_EQ(entries_in(program_->map_fd("conntrack_halfopen")), 2u);

    FrameSpec answer = from_backend1(53, family().client, 40000, 0);
    answer.proto = kUdp;
    ASSERT_EQ(run_from_backends(build_frame(answer)).verdict, XDP_REDIRECT);
    EXPECT_EQ(entries_in(program_->map_fd("conntrack_halfopen")), 2u);
    EXPECT_EQ(entries_in(program_->map_fd("conntrack")), 0u);

    ASSERT_EQ(run_from_client(query).verdict, XDP_REDIRECT);
    EXPECT_EQ(entries_in(program_->map_fd("conntrack_halfopen")), 0u);
    EXPECT_EQ(entries_in(program_->map_fd("conntrack")), 2u);
}

// A one-way stream is no spoofed source: it is confirmed by its second datagram.
TEST_P(HalfOpenUdp, ClientsSecondDatagramConfirms) {
    Bytes query = build_frame(from_client(family().vip, 40000, 53, kUdp));
    ASSERT_EQ(run_from_client(query).verdict, XDP_REDIRECT);
    EXPECT_EQ(entries_in(program_->map_fd("conntrack")), 0u);
    TestRun second = run_from_client(query);
    expect_frame(second, XDP_REDIRECT, build_frame(to_backend1(from_client(family().vip, 40000, 53, kUdp), 53)));
    EXPECT_EQ(entries_in(program_->map_fd("conntrack_halfopen")), 0u);
    EXPECT_EQ(entries_in(program_->map_fd("conntrack")), 2u);
}

}  // namespace
}  // namespace xdplb::testing
