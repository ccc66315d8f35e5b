// Tracing: one event per packet while it is on, for the farm asked, exact to
// the decision; nothing while it is off.
#include <arpa/inet.h>

#include <cstring>
#include <vector>

#include "dataplane/trace_events.hpp"
#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;

class Trace : public PerFamily {
protected:
    void SetUp() override {
        PerFamily::SetUp();
        model::Farm web = web_farm(Mode::dnat);
        model::Farm empty = farm("empty", Mode::dnat, 81, model::Protocol::tcp, family());
        configure({{web, empty}});
        events_ = std::make_unique<dataplane::TraceEvents>(
            *program_, [this](const xdplb_trace_event& event) { received_.push_back(event); });
    }

    std::vector<xdplb_trace_event> taken() {
        received_.clear();
        events_->consume(100);
        return received_;
    }

    std::uint32_t farm_id(const std::string& name) const {
        for (const model::Farm& farm : config_.farms) {
            if (farm.name == name) return farm.id;
        }
        return 0;
    }

    std::uint32_t backend1_id() const { return config_.farms[0].backends[0].id; }

    xdplb_addr address(const std::string& text) const {
        xdplb_addr result{};
        inet_pton(family().name == std::string("ipv4") ? AF_INET : AF_INET6, text.c_str(), result.words);
        return result;
    }

    // The flow of a frame from the client to the VIP, as the event shows it.
    void expect_client_flow(const xdplb_trace_event& event, std::uint16_t sport, std::uint16_t dport) const {
        const bool ipv4 = family().name == std::string("ipv4");
        EXPECT_EQ(event.flow.family, ipv4 ? AF_INET : AF_INET6);
        EXPECT_EQ(event.flow.proto, kTcp);
        const xdplb_addr client = address(family().client);
        const xdplb_addr vip = address(family().vip);
        EXPECT_EQ(std::memcmp(&event.flow.src, &client, sizeof(xdplb_addr)), 0);
        EXPECT_EQ(std::memcmp(&event.flow.dst, &vip, sizeof(xdplb_addr)), 0);
        EXPECT_EQ(ntohs(event.flow.sport), sport);
        EXPECT_EQ(ntohs(event.flow.dport), dport);
        EXPECT_EQ(event.ifindex, static_cast<std::uint32_t>(lab().eth0()));
    }

    // The one event that the client's frame to the VIP's `dport` left, with
    // the decision expected: farm, backend, verdict and reason.
    xdplb_trace_event expect_one_event(const Bytes& frame, std::uint16_t dport, std::uint32_t farm,
                                       std::uint32_t backend, int verdict, std::uint32_t reason) {
        run_from_client(frame);
        const std::vector<xdplb_trace_event> events = taken();
        EXPECT_EQ(events.size(), 1u);
        if (events.size() != 1) return {};
        expect_client_flow(events[0], 40000, dport);
        EXPECT_EQ(events[0].farm_id, farm);
        EXPECT_EQ(events[0].backend_id, backend);
        EXPECT_EQ(events[0].verdict, static_cast<std::uint32_t>(verdict));
        EXPECT_EQ(events[0].reason, reason);
        return events[0];
    }

    static FrameSpec ack_of(FrameSpec spec) {
        spec.tcp_flags = kAck;
        return spec;
    }

    std::unique_ptr<dataplane::TraceEvents> events_;
    std::vector<xdplb_trace_event> received_;
};

XDPLB_FOR_EACH_FAMILY(Trace);

TEST_P(Trace, NoEventWhileOff) {
    run_from_client(build_frame(from_client(family().vip, 40000, 80)));
    run_from_client(build_frame(from_client(family().client, 40000, 80)));
    EXPECT_FALSE(events_->started());
    EXPECT_TRUE(taken().empty());
}

TEST_P(Trace, NewConnectionShowsItsFarmAndBackend) {
    events_->start(0);
    const Bytes syn = build_frame(from_client(family().vip, 40000, 80));
    const xdplb_trace_event event =
        expect_one_event(syn, 80, farm_id("web"), backend1_id(), XDP_REDIRECT, XDPLB_TRACE_NEW_CONNECTION);
    EXPECT_EQ(event.frame_bytes, syn.size());
    EXPECT_GT(event.time_ns, 0u);
}

TEST_P(Trace, EstablishedPacketFollowsItsEntry) {
    const FrameSpec syn = from_client(family().vip, 40000, 80);
    run_from_client(build_frame(syn));
    events_->start(0);
    expect_one_event(build_frame(ack_of(syn)), 80, farm_id("web"), backend1_id(), XDP_REDIRECT,
                     XDPLB_TRACE_ESTABLISHED);
}

TEST_P(Trace, PacketOfNoFarmIsPassed) {
    events_->start(0);
    expect_one_event(build_frame(from_client(family().vip, 40000, 82)), 82, 0, 0, XDP_PASS, XDPLB_PASS_NO_FARM);
}

TEST_P(Trace, FarmWithoutBackendDrops) {
    events_->start(0);
    expect_one_event(build_frame(from_client(family().vip, 40000, 81)), 81, farm_id("empty"), 0, XDP_DROP,
                     XDPLB_DROP_NO_BACKEND);
}

TEST_P(Trace, FarmFilterLeavesOutOtherFarmsAndPacketsOfNoFarm) {
    events_->start(farm_id("empty"));
    run_from_client(build_frame(from_client(family().vip, 40000, 80)));
    run_from_client(build_frame(from_client(family().vip, 40000, 82)));
    run_from_client(build_frame(from_client(family().vip, 40001, 81)));

    const std::vector<xdplb_trace_event> events = taken();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].farm_id, farm_id("empty"));
    EXPECT_EQ(ntohs(events[0].flow.sport), 40001);
}

TEST_P(Trace, TakesAtMostTheEventsAskedAtOnce) {
    events_->start(0);
    for (std::uint16_t port = 40000; port < 40005; ++port) {
        run_from_client(build_frame(from_client(family().vip, port, 82)));
    }
    EXPECT_EQ(events_->consume(3), 3u);
    EXPECT_EQ(received_.size(), 3u);
    EXPECT_EQ(events_->consume(3), 2u);
    EXPECT_EQ(received_.size(), 5u);
}

TEST_P(Trace, StoppingEndsTheEvents) {
    events_->start(0);
    events_->stop();
    run_from_client(build_frame(from_client(family().vip, 40000, 80)));
    EXPECT_TRUE(taken().empty());
}

}  // namespace
}  // namespace xdplb::testing
