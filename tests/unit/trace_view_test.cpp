// What the trace command takes and what it streams for each data-path event.
#include "daemon/trace_view.hpp"

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include "model_builders.hpp"

namespace xdplb::daemon {
namespace {

using nlohmann::json;
using model::testing::backend;
using model::testing::refused_with;
using namespace std::chrono_literals;

model::Config sample_config() {
    model::Farm web;
    web.id = 1;
    web.name = "web";
    web.backends = {backend("web1", "198.18.1.11", 11)};
    return {{web}};
}

xdplb_trace_event tcp_event(std::uint8_t family, const char* src, const char* dst) {
    xdplb_trace_event event{};
    event.time_ns = 2'500'000'000;  // 2.5 s after monotonic_zero
    event.flow.family = family;
    event.flow.proto = IPPROTO_TCP;
    inet_pton(family, src, event.flow.src.words);
    inet_pton(family, dst, event.flow.dst.words);
    event.flow.sport = htons(40000);
    event.flow.dport = htons(80);
    event.ifindex = 3;
    event.farm_id = 1;
    event.backend_id = 11;
    event.frame_bytes = 74;
    event.verdict = XDP_REDIRECT;
    event.reason = XDPLB_TRACE_NEW_CONNECTION;
    return event;
}

// 2026-11-21T10:00:00Z
const auto kMonotonicZero = std::chrono::system_clock::time_point(1'795'255'200s);

TEST(TraceView, NewConnectionInFull) {
    const json view = trace_event_view(tcp_event(AF_INET, "198.18.0.2", "198.18.0.100"),
                                       trace_names_of(sample_config()), kMonotonicZero);
    EXPECT_EQ(view, json::parse(R"({"time": "2026-11-21T10:00:02.500Z", "ifindex": 3, "proto": "tcp",
        "src": "198.18.0.2", "sport": 40000, "dst": "198.18.0.100", "dport": 80, "farm": "web",
        "backend": "web1", "verdict": "redirect", "reason": "new_connection", "bytes": 74})"));
}

TEST(TraceView, Ipv6AndEstablished) {
    xdplb_trace_event event = tcp_event(AF_INET6, "fd00::2", "fd00::100");
    event.reason = XDPLB_TRACE_ESTABLISHED;
    const json view = trace_event_view(event, trace_names_of(sample_config()), kMonotonicZero);
    EXPECT_EQ(view["src"], "fd00::2");
    EXPECT_EQ(view["dst"], "fd00::100");
    EXPECT_EQ(view["reason"], "established");
}

TEST(TraceView, PassedPacketOfNoFarm) {
    xdplb_trace_event event = tcp_event(AF_INET, "198.18.0.2", "198.18.0.50");
    event.farm_id = 0;
    event.backend_id = 0;
    event.verdict = XDP_PASS;
    event.reason = XDPLB_PASS_NO_FARM;
    const json view = trace_event_view(event, trace_names_of(sample_config()), kMonotonicZero);
    EXPECT_EQ(view["farm"], nullptr);
    EXPECT_EQ(view["backend"], nullptr);
    EXPECT_EQ(view["verdict"], "pass");
    EXPECT_EQ(view["reason"], "pass_no_farm");
}

TEST(TraceView, IcmpHasNoPortsAndAFrameThatIsNotIpNoFlow) {
    xdplb_trace_event ping = tcp_event(AF_INET, "198.18.0.2", "198.18.0.100");
    ping.flow.proto = IPPROTO_ICMP;
    ping.verdict = XDP_TX;
    ping.reason = XDPLB_TX_ICMP_ECHO_REPLY;
    const json ping_view = trace_event_view(ping, {}, kMonotonicZero);
    EXPECT_EQ(ping_view["proto"], "icmp");
    EXPECT_EQ(ping_view["sport"], nullptr);
    EXPECT_EQ(ping_view["verdict"], "tx");
    EXPECT_EQ(ping_view["reason"], "tx_icmp_echo_reply");

    xdplb_trace_event arp{};
    arp.verdict = XDP_PASS;
    arp.reason = XDPLB_PASS_NOT_IP;
    const json arp_view = trace_event_view(arp, {}, kMonotonicZero);
    EXPECT_EQ(arp_view["proto"], nullptr);
    EXPECT_EQ(arp_view["src"], nullptr);
    EXPECT_EQ(arp_view["reason"], "pass_not_ip");
}

TEST(TraceView, NamesTheModelNoLongerHasShowAsNull) {
    xdplb_trace_event event = tcp_event(AF_INET, "198.18.0.2", "198.18.0.100");
    event.farm_id = 7;
    event.backend_id = 70;
    const json view = trace_event_view(event, trace_names_of(sample_config()), kMonotonicZero);
    EXPECT_EQ(view["farm"], nullptr);
    EXPECT_EQ(view["backend"], nullptr);
}

TEST(TraceRequest, FarmCountAndDuration) {
    const TraceRequest request =
        trace_request_of({{"farm", "web"}, {"count", 5}, {"duration", 1.5}}, sample_config());
    EXPECT_EQ(request.farm_id, 1u);
    EXPECT_EQ(request.count, 5u);
    EXPECT_EQ(request.duration, 1500ms);
    const TraceRequest everything = trace_request_of(json::object(), sample_config());
    EXPECT_FALSE(everything.farm_id || everything.count || everything.duration);
}

TEST(TraceRequest, RefusesWhatItCannotDo) {
    const model::Config config = sample_config();
    EXPECT_TRUE(refused_with([&] { trace_request_of({{"farm", "nope"}}, config); }, {"nope"}));
    EXPECT_TRUE(refused_with([&] { trace_request_of({{"farm", 1}}, config); }, {"'farm'"}));
    EXPECT_TRUE(refused_with([&] { trace_request_of({{"count", 0}}, config); }, {"'count'"}));
    EXPECT_TRUE(refused_with([&] { trace_request_of({{"count", 1.5}}, config); }, {"'count'"}));
    EXPECT_TRUE(refused_with([&] { trace_request_of({{"duration", 0}}, config); }, {"'duration'"}));
    EXPECT_TRUE(refused_with([&] { trace_request_of({{"duration", "1"}}, config); }, {"'duration'"}));
    EXPECT_TRUE(refused_with([&] { trace_request_of({{"verbose", true}}, config); }, {"unknown field 'verbose'"}));
}

}  // namespace
}  // namespace xdplb::daemon
