// Admission of new connections by source (allow/deny lists, rate limit) and
// per-farm connection timeouts.
#include <bpf/bpf.h>
#include <xdplb/abi.h>

#include <chrono>
#include <thread>

#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;

std::vector<IpPrefix> prefixes(std::initializer_list<std::string> texts) {
    std::vector<IpPrefix> list;
    for (const std::string& text : texts) list.push_back(IpPrefix::parse(text));
    return list;
}

std::size_t prefixes_in(int map_fd) { return keys_in<xdplb_source_prefix_key>(map_fd); }

class Protection : public PerFamily {
protected:
    bool ipv4() const { return family().name == std::string("ipv4"); }
    // The client's own network, and another source inside the test range.
    std::string client_network() const { return ipv4() ? "198.18.0.0/24" : "fd00::/64"; }
    std::string client_host() const { return std::string(family().client) + (ipv4() ? "/32" : "/128"); }
    std::string stranger() const { return ipv4() ? "198.19.5.9" : "fd00:19::9"; }

    void configure_web(std::vector<IpPrefix> allow, std::vector<IpPrefix> deny, std::uint32_t rate_limit = 0,
                       std::uint32_t rate_burst = 0) {
        model::Farm web = web_farm(Mode::dnat);
        web.allow = std::move(allow);
        web.deny = std::move(deny);
        web.rate_limit = rate_limit;
        web.rate_burst = rate_burst;
        model::Farm api = farm("api", Mode::dnat, 81, model::Protocol::tcp, family());
        api.backends = {backend("b1", family().backend1, 8081)};
        configure({{web, api}});
    }

    FrameSpec syn_from(const std::string& source, std::uint16_t client_port = 40000, std::uint16_t port = 80) const {
        FrameSpec spec = from_client(family().vip, client_port, port);
        spec.src_ip = source;
        return spec;
    }

    // The SYN is translated byte for byte toward backend 1.
    void expect_admitted(const FrameSpec& syn, std::uint16_t backend_port = 8080) {
        expect_frame(run_from_client(build_frame(syn)), XDP_REDIRECT, build_frame(to_backend1(syn, backend_port)));
    }

    void expect_refused(const FrameSpec& syn) {
        Bytes frame = build_frame(syn);
        expect_frame(run_from_client(frame), XDP_DROP, frame);
    }
};

XDPLB_FOR_EACH_FAMILY(Protection);

TEST_P(Protection, DenyListRefusesItsSourcesOnly) {
    configure_web({}, prefixes({client_network()}));
    expect_refused(syn_from(family().client));
    EXPECT_EQ(reason_count("drop_denied_source"), 1u);
    expect_admitted(syn_from(stranger()));
    EXPECT_EQ(reason_count("drop_denied_source"), 1u);
}

TEST_P(Protection, AllowListAdmitsItsSourcesOnly) {
    configure_web(prefixes({client_host()}), {});
    expect_admitted(syn_from(family().client));
    expect_refused(syn_from(stranger()));
    EXPECT_EQ(reason_count("drop_denied_source"), 1u);
}

TEST_P(Protection, DenyWinsOverAllow) {
    configure_web(prefixes({ipv4() ? "198.18.0.0/15" : "fd00::/8"}), prefixes({client_host()}));
    expect_refused(syn_from(family().client));
    expect_admitted(syn_from(stranger()));
}

TEST_P(Protection, ListsBelongToTheirFarm) {
    configure_web(prefixes({client_host()}), {});
    model::Config config = config_;
    config.farms[1].allow = prefixes({stranger() + (ipv4() ? "/32" : "/128")});
    configure(config);
    expect_admitted(syn_from(family().client, 40000, 80));
    expect_refused(syn_from(family().client, 40000, 81));
    expect_admitted(syn_from(stranger(), 40000, 81), 8081);
    expect_refused(syn_from(stranger(), 40000, 80));
}

TEST_P(Protection, EstablishedConnectionsAreNotCutByALaterList) {
    configure_web({}, {});
    expect_admitted(syn_from(family().client));
    configure_web({}, prefixes({client_network()}));

    FrameSpec ack = syn_from(family().client);
    ack.tcp_flags = kAck;
    expect_admitted(ack);
    expect_refused(syn_from(family().client, 40001));
}

TEST_P(Protection, ClearedListsAdmitEveryoneAndLeaveNoPrefixBehind) {
    configure_web(prefixes({client_host()}), prefixes({ipv4() ? "198.19.0.0/16" : "fd00:19::/32"}));
    configure_web({}, {});
    expect_admitted(syn_from(stranger()));
    EXPECT_EQ(prefixes_in(program_->map_fd("allow_sources")), 0u);
    EXPECT_EQ(prefixes_in(program_->map_fd("deny_sources")), 0u);
}

TEST_P(Protection, RateLimitAdmitsTheBurstThenRefillsAtTheRate) {
    configure_web({}, {}, 10, 2);  // 12 at once, then one per 100 ms
    for (std::uint16_t port = 40000; port < 40012; ++port) expect_admitted(syn_from(family().client, port));
    expect_refused(syn_from(family().client, 40012));
    EXPECT_EQ(reason_count("drop_rate_limited"), 1u);

    // Another source has its own bucket; a SYN retransmission is no new connection.
    expect_admitted(syn_from(stranger()));
    expect_admitted(syn_from(family().client, 40000));

    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    expect_admitted(syn_from(family().client, 40013));
    expect_refused(syn_from(family().client, 40014));
    EXPECT_EQ(reason_count("drop_rate_limited"), 2u);
}

TEST_P(Protection, FarmTimeoutsOverrideLbdsForTheFarmsConnectionsOnly) {
    model::Farm web = web_farm(Mode::snat);
    web.timeouts.unanswered = 1;
    model::Farm api = farm("api", Mode::snat, 81, model::Protocol::tcp, family());
    api.backends = {backend("b1", family().backend1, 8081)};
    configure({{web, api}});
    set_settings({.snat_ports = {5000, 5000}, .unanswered_timeout_s = 30});

    ASSERT_EQ(run_from_client(build_frame(syn_from(family().client, 40000, 80))).verdict, XDP_REDIRECT);
    ASSERT_EQ(run_from_client(build_frame(syn_from(family().client, 40000, 81))).verdict, XDP_REDIRECT);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));

    // web's unanswered connection is stale after its own second: its port goes to the next one.
    TestRun web_next = run_from_client(build_frame(syn_from(family().client, 40001, 80)));
    EXPECT_EQ(web_next.verdict, XDP_REDIRECT);
    EXPECT_EQ(source_port_of(web_next.frame), 5000);
    // api's keeps lbd's 30 s.
    expect_refused(syn_from(family().client, 40001, 81));
    EXPECT_EQ(reason_count("drop_snat_exhausted"), 1u);
}

}  // namespace
}  // namespace xdplb::testing
