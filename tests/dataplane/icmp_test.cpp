// ICMP and fragments: pings to a VIP answered by the program itself, errors
// about tracked flows translated for whichever end they go to, fragments to a
// VIP dropped. Every expected frame is built from scratch (frame.cpp), so each
// checksum the program updates incrementally is judged against a full one.
#include <vector>

#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;
using model::Protocol;

Bytes bytes_of(const std::string& text) { return Bytes(text.begin(), text.end()); }

constexpr std::size_t kIpv4HeaderBytes = 20;
constexpr std::size_t kIpv6HeaderBytes = 40;

class Icmp : public PerFamily {
protected:
    // A TCP farm on port 80 and a UDP farm on port 53 of the VIP, one backend each.
    void configure_farms(Mode mode) {
        model::Farm web = web_farm(mode);
        model::Farm dns = farm("dns", mode, 53, Protocol::udp, family());
        dns.backends = {backend("b1", family().backend1, 5353)};
        configure({{web, dns}});
    }

    bool ipv4() const { return family().name == std::string("ipv4"); }
    std::string pick(const char* v4, const char* v6) const { return ipv4() ? v4 : v6; }
    std::string lb_client_side() const { return pick(LabAddresses::kLbClientSide, "fd00::1"); }
    std::string router_on_backend_side() const { return pick("198.18.1.254", "fd00:1::fe"); }
    std::size_t ip_header_bytes() const { return ipv4() ? kIpv4HeaderBytes : kIpv6HeaderBytes; }

    IcmpSpec echo_request(const std::string& dst_ip) const {
        IcmpSpec spec;
        spec.src_mac = kClientMac;
        spec.dst_mac = kEth0Mac;
        spec.src_ip = family().client;
        spec.dst_ip = dst_ip;
        spec.ttl = 57;
        spec.type = ipv4() ? kIcmpEchoRequest : kIcmp6EchoRequest;
        spec.rest = 0x4242u << 16 | 7;
        spec.body = bytes_of("ping payload 0123456789");
        return spec;
    }

    // An error arriving on eth1 from `src_ip` (backend 1 or a router beside it).
    IcmpSpec error_from_backend_side(const std::string& src_ip, const std::string& dst_ip, std::uint8_t type,
                                     std::uint8_t code, const Bytes& quote) const {
        IcmpSpec spec;
        spec.src_mac = kBackend1Mac;
        spec.dst_mac = kEth1Mac;
        spec.src_ip = src_ip;
        spec.dst_ip = dst_ip;
        spec.type = type;
        spec.code = code;
        spec.body = quote;
        return spec;
    }

    // An error arriving on eth0 from the client.
    IcmpSpec error_from_client(std::uint8_t type, std::uint8_t code, const Bytes& quote) const {
        IcmpSpec spec;
        spec.src_mac = kClientMac;
        spec.dst_mac = kEth0Mac;
        spec.src_ip = family().client;
        spec.dst_ip = family().vip;
        spec.type = type;
        spec.code = code;
        spec.body = quote;
        return spec;
    }

    std::uint8_t port_unreachable_type() const { return ipv4() ? kIcmpDestUnreachable : kIcmp6DestUnreachable; }
    std::uint8_t port_unreachable_code() const { return ipv4() ? kIcmpCodePortUnreachable : kIcmp6CodePortUnreachable; }
    // Fragmentation needed (IPv4) or packet too big (IPv6), with the MTU.
    void make_too_big(IcmpSpec& spec, std::uint16_t mtu) const {
        spec.type = ipv4() ? kIcmpDestUnreachable : kIcmp6PacketTooBig;
        spec.code = ipv4() ? kIcmpCodeFragNeeded : 0;
        spec.rest = mtu;
    }

    FrameSpec client_datagram() const {
        FrameSpec spec = from_client(family().vip, 40000, 53, kUdp);
        spec.payload = "query";
        return spec;
    }

    FrameSpec client_segment() const {
        FrameSpec spec = from_client(family().vip, 40000, 80);
        spec.tcp_flags = kAck;
        spec.payload = std::string(100, 'd');
        return spec;
    }

    // Sends `spec` from the client through the program: the frame as it left toward the backend.
    Bytes sent_to_backend(const FrameSpec& spec) {
        TestRun out = run_from_client(build_frame(spec));
        EXPECT_EQ(out.verdict, XDP_REDIRECT);
        return out.frame;
    }

    // Opens the TCP connection and sends a data segment: the segment as the backend got it.
    Bytes tcp_segment_sent_to_backend() {
        sent_to_backend(from_client(family().vip, 40000, 80));
        return sent_to_backend(client_segment());
    }

    // `spec` as it reached the backend but in the client's terms: one hop less.
    static FrameSpec one_hop_later(FrameSpec spec) {
        spec.ttl -= 1;
        return spec;
    }

    // The error as the program must send it on to the client.
    static IcmpSpec toward_client(IcmpSpec spec, const std::string& src_ip, const std::string& client_ip,
                                  const Bytes& quote) {
        spec.src_mac = kEth0Mac;
        spec.dst_mac = kClientMac;
        spec.ttl -= 1;
        spec.src_ip = src_ip;
        spec.dst_ip = client_ip;
        spec.body = quote;
        return spec;
    }

    void expect_passed_untouched(const Bytes& frame, bool from_backends, const char* reason) {
        std::uint64_t before = reason_count(reason);
        expect_frame(from_backends ? run_from_backends(frame) : run_from_client(frame), XDP_PASS, frame);
        EXPECT_EQ(reason_count(reason), before + 1) << reason;
    }
};

XDPLB_FOR_EACH_FAMILY(Icmp);

// ---------------------------------------------------------------- echo

TEST_P(Icmp, EchoToTheVipIsAnsweredInPlace) {
    configure_farms(Mode::snat);
    IcmpSpec request = echo_request(family().vip);

    IcmpSpec reply = request;
    reply.src_mac = kEth0Mac;
    reply.dst_mac = kClientMac;
    reply.src_ip = family().vip;
    reply.dst_ip = family().client;
    reply.ttl = 64;
    reply.type = ipv4() ? kIcmpEchoReply : kIcmp6EchoReply;
    expect_frame(run_from_client(build_icmp_frame(request)), XDP_TX, build_icmp_frame(reply));
    EXPECT_EQ(reason_count("tx_icmp_echo_reply"), 1u);
}

TEST_P(Icmp, EchoToAnotherAddressPassesUntouched) {
    configure_farms(Mode::snat);
    expect_passed_untouched(build_icmp_frame(echo_request(lb_client_side())), false, "pass_no_farm");
    EXPECT_EQ(reason_count("tx_icmp_echo_reply"), 0u);
}

TEST_P(Icmp, VipIsAnsweredFromItsFirstFarmToItsLast) {
    Bytes request = build_icmp_frame(echo_request(family().vip));
    expect_passed_untouched(request, false, "pass_no_farm");

    configure_farms(Mode::dnat);
    EXPECT_EQ(run_from_client(request).verdict, XDP_TX);

    model::Config web_only = config_;
    web_only.farms.pop_back();
    configure(web_only);
    EXPECT_EQ(run_from_client(request).verdict, XDP_TX);

    configure({});
    expect_passed_untouched(request, false, "pass_no_farm");
}

TEST_P(Icmp, VipMovesWithItsFarm) {
    configure_farms(Mode::snat);
    model::Config moved = config_;
    const std::string new_vip = pick("198.18.0.101", "fd00::101");
    for (model::Farm& each : moved.farms) each.vip = *IpAddress::parse(new_vip);
    configure(moved);
    expect_passed_untouched(build_icmp_frame(echo_request(family().vip)), false, "pass_no_farm");
    EXPECT_EQ(run_from_client(build_icmp_frame(echo_request(new_vip))).verdict, XDP_TX);
}

TEST_P(Icmp, EchoFromASourceNoReplyMayGoToPasses) {
    configure_farms(Mode::snat);
    for (const char* source : ipv4() ? std::vector<const char*>{"0.0.0.0", "224.0.0.1", "255.255.255.255"}
                                     : std::vector<const char*>{"::", "ff02::1"}) {
        IcmpSpec request = echo_request(family().vip);
        request.src_ip = source;
        expect_passed_untouched(build_icmp_frame(request), false, "pass_malformed");
    }
}

// What exists in IPv4 only: IP options, UDP without a checksum, variable
// header lengths, fragment offsets in the IP header.
class IcmpIpv4 : public Icmp {};
INSTANTIATE_TEST_SUITE_P(, IcmpIpv4, ::testing::Values(kIpv4), family_name);

TEST_P(IcmpIpv4, EchoWithIpOptionsIsLeftToTheKernel) {
    configure_farms(Mode::snat);
    Bytes frame = build_icmp_frame(echo_request(family().vip));
    // Grow the header by one word of no-operation options (the kernel answers
    // such requests itself); lengths follow, the checksum is not judged here.
    frame.insert(frame.begin() + 14 + 20, {1, 1, 1, 0});
    frame[14] = 0x46;
    frame[14 + 3] = static_cast<std::uint8_t>(frame[14 + 3] + 4);
    expect_passed_untouched(frame, false, "pass_not_tcp_udp");
}

TEST_P(Icmp, OtherMessagesToTheVipPassUntouched) {
    configure_farms(Mode::snat);
    IcmpSpec request_with_code = echo_request(family().vip);
    request_with_code.code = 1;
    expect_passed_untouched(build_icmp_frame(request_with_code), false, "pass_not_tcp_udp");

    IcmpSpec reply = echo_request(family().vip);
    reply.type = ipv4() ? kIcmpEchoReply : kIcmp6EchoReply;
    expect_passed_untouched(build_icmp_frame(reply), false, "pass_not_tcp_udp");
}

TEST_P(Icmp, MessageShorterThanItsHeaderPasses) {
    configure_farms(Mode::snat);
    IcmpSpec request = echo_request(family().vip);
    request.body.clear();
    Bytes frame = build_icmp_frame(request);
    frame.resize(frame.size() - 4);
    // The IP length still claims the full header: the frame ends first.
    expect_passed_untouched(frame, false, "pass_malformed");
}

// ---------------------------------------------------- errors from the backend side

TEST_P(Icmp, PortUnreachableFromTheBackendReachesTheClientOfASnatFlow) {
    configure_farms(Mode::snat);
    Bytes datagram = sent_to_backend(client_datagram());

    IcmpSpec error = error_from_backend_side(family().backend1, family().lb_backend_side, port_unreachable_type(),
                                             port_unreachable_code(), ip_packet_of(datagram));
    Bytes client_view = ip_packet_of(build_frame(one_hop_later(client_datagram())));
    IcmpSpec expected = toward_client(error, family().vip, family().client, client_view);
    expect_frame(run_from_backends(build_icmp_frame(error)), XDP_REDIRECT, build_icmp_frame(expected));
    EXPECT_EQ(reason_count("fwd_icmp_error"), 1u);
}

TEST_P(Icmp, PortUnreachableFromTheBackendReachesTheClientOfADnatFlow) {
    configure_farms(Mode::dnat);
    Bytes datagram = sent_to_backend(client_datagram());

    IcmpSpec error = error_from_backend_side(family().backend1, family().client, port_unreachable_type(),
                                             port_unreachable_code(), ip_packet_of(datagram));
    Bytes client_view = ip_packet_of(build_frame(one_hop_later(client_datagram())));
    IcmpSpec expected = toward_client(error, family().vip, family().client, client_view);
    expect_frame(run_from_backends(build_icmp_frame(error)), XDP_REDIRECT, build_icmp_frame(expected));
}

TEST_P(IcmpIpv4, UdpWithoutChecksumKeepsNoneInTheQuote) {
    configure_farms(Mode::snat);
    FrameSpec datagram_spec = client_datagram();
    datagram_spec.udp_without_checksum = true;
    Bytes datagram = sent_to_backend(datagram_spec);

    IcmpSpec error = error_from_backend_side(family().backend1, family().lb_backend_side, port_unreachable_type(),
                                             port_unreachable_code(), ip_packet_of(datagram));
    Bytes client_view = ip_packet_of(build_frame(one_hop_later(datagram_spec)));
    IcmpSpec expected = toward_client(error, family().vip, family().client, client_view);
    expect_frame(run_from_backends(build_icmp_frame(error)), XDP_REDIRECT, build_icmp_frame(expected));
}

TEST_P(Icmp, TooBigFromTheBackendOfASnatTcpFlowQuotesTheClientsSegment) {
    configure_farms(Mode::snat);
    Bytes segment = tcp_segment_sent_to_backend();

    IcmpSpec error = error_from_backend_side(family().backend1, family().lb_backend_side, 0, 0, ip_packet_of(segment));
    make_too_big(error, 1400);
    Bytes client_view = ip_packet_of(build_frame(one_hop_later(client_segment())));
    IcmpSpec expected = toward_client(error, family().vip, family().client, client_view);
    expect_frame(run_from_backends(build_icmp_frame(error)), XDP_REDIRECT, build_icmp_frame(expected));
    EXPECT_EQ(reason_count("fwd_icmp_error"), 1u);
}

// A router between the LB and the backend keeps its own address, and quotes
// only 8 bytes of TCP: the TCP checksum is not in the quote.
TEST_P(Icmp, TooBigFromARouterOnTheBackendSideOfADnatTcpFlowKeepsTheRoutersAddress) {
    configure_farms(Mode::dnat);
    Bytes segment = tcp_segment_sent_to_backend();
    const std::size_t quoted = ip_header_bytes() + 8;

    IcmpSpec error =
        error_from_backend_side(router_on_backend_side(), family().client, 0, 0, ip_packet_of(segment, quoted));
    make_too_big(error, 1280);
    Bytes client_view = ip_packet_of(build_frame(one_hop_later(client_segment())), quoted);
    IcmpSpec expected = toward_client(error, router_on_backend_side(), family().client, client_view);
    expect_frame(run_from_backends(build_icmp_frame(error)), XDP_REDIRECT, build_icmp_frame(expected));
}

TEST_P(Icmp, TimeExceededFromARouterOnTheBackendSideOfASnatFlow) {
    configure_farms(Mode::snat);
    Bytes datagram = sent_to_backend(client_datagram());

    IcmpSpec error = error_from_backend_side(router_on_backend_side(), family().lb_backend_side,
                                             ipv4() ? kIcmpTimeExceeded : kIcmp6TimeExceeded, 0,
                                             ip_packet_of(datagram));
    Bytes client_view = ip_packet_of(build_frame(one_hop_later(client_datagram())));
    IcmpSpec expected = toward_client(error, router_on_backend_side(), family().client, client_view);
    expect_frame(run_from_backends(build_icmp_frame(error)), XDP_REDIRECT, build_icmp_frame(expected));
}

// ------------------------------------------------------- errors from the client side

class IcmpFromClient : public Icmp {
protected:
    // The error as the program must send it on to backend 1: from the
    // client's address on the backend side, quoting the backend's own packet.
    static IcmpSpec toward_backend1(IcmpSpec spec, const std::string& src_ip, const std::string& backend_ip,
                                    const Bytes& quote) {
        spec.src_mac = kEth1Mac;
        spec.dst_mac = kBackend1Mac;
        spec.ttl -= 1;
        spec.src_ip = src_ip;
        spec.dst_ip = backend_ip;
        spec.body = quote;
        return spec;
    }

    // Opens a connection, answers it with the backend's SYN-ACK, and has the
    // client report that SYN-ACK too big: the report must reach backend 1
    // about the SYN-ACK as the backend sent it.
    void expect_too_big_reaches_backend(Mode mode) {
        configure_farms(mode);
        std::uint16_t backend_side_port = source_port_of(sent_to_backend(from_client(family().vip, 40000, 80)));
        std::string client_on_backend_side = mode == Mode::snat ? family().lb_backend_side : family().client;
        FrameSpec syn_ack = from_backend1(8080, client_on_backend_side, backend_side_port, kSyn | kAck);
        TestRun received = run_from_backends(build_frame(syn_ack));
        ASSERT_EQ(received.verdict, XDP_REDIRECT);

        IcmpSpec error = error_from_client(0, 0, ip_packet_of(received.frame));
        make_too_big(error, 1300);
        Bytes backend_view = ip_packet_of(build_frame(one_hop_later(syn_ack)));
        IcmpSpec expected = toward_backend1(error, client_on_backend_side, family().backend1, backend_view);
        expect_frame(run_from_client(build_icmp_frame(error)), XDP_REDIRECT, build_icmp_frame(expected));
        EXPECT_EQ(reason_count("fwd_icmp_error"), 1u);
    }
};

XDPLB_FOR_EACH_FAMILY(IcmpFromClient);

TEST_P(IcmpFromClient, TooBigFromTheClientReachesTheBackendOfASnatFlow) { expect_too_big_reaches_backend(Mode::snat); }

TEST_P(IcmpFromClient, TooBigFromTheClientReachesTheBackendOfADnatFlow) { expect_too_big_reaches_backend(Mode::dnat); }

// A DSR backend answers the client directly, from the VIP: the client's report
// about that answer reaches the backend unchanged but for the MACs, since the
// backend holds the VIP.
TEST_P(IcmpFromClient, TooBigAboutADsrAnswerReachesItsBackendUnchanged) {
    model::Farm web = farm("web", Mode::dsr, 80, Protocol::tcp, family());
    web.backends = {backend("b1", family().backend1, std::nullopt)};
    configure({{web}});
    sent_to_backend(from_client(family().vip, 40000, 80));
    FrameSpec answer = from_client(family().client, 80, 40000);
    answer.src_ip = family().vip;
    answer.tcp_flags = kSyn | kAck;

    IcmpSpec error = error_from_client(0, 0, ip_packet_of(build_frame(answer)));
    make_too_big(error, 1300);
    IcmpSpec expected = error;
    expected.src_mac = kEth1Mac;
    expected.dst_mac = kBackend1Mac;
    expect_frame(run_from_client(build_icmp_frame(error)), XDP_REDIRECT, build_icmp_frame(expected));
    EXPECT_EQ(reason_count("fwd_icmp_error"), 1u);
}

// ------------------------------------------------ what must not be translated

class IcmpMalformed : public Icmp {
protected:
    void SetUp() override {
        Icmp::SetUp();
        configure_farms(Mode::snat);
        datagram_ = sent_to_backend(client_datagram());
    }

    // A port unreachable from backend 1 quoting `quote`, to the SNAT address.
    Bytes error_quoting(const Bytes& quote) const {
        return build_icmp_frame(error_from_backend_side(family().backend1, family().lb_backend_side,
                                                        port_unreachable_type(), port_unreachable_code(), quote));
    }

    Bytes quote() const { return ip_packet_of(datagram_); }

    Bytes datagram_;
};

XDPLB_FOR_EACH_FAMILY(IcmpMalformed);

class IcmpMalformedIpv4 : public IcmpMalformed {};
INSTANTIATE_TEST_SUITE_P(, IcmpMalformedIpv4, ::testing::Values(kIpv4), family_name);

TEST_P(IcmpMalformed, QuoteCutInsideThePortsPasses) {
    expect_passed_untouched(error_quoting(ip_packet_of(datagram_, ip_header_bytes() + 4)), true, "pass_malformed");
}

TEST_P(IcmpMalformed, QuoteCutInsideItsIpHeaderPasses) {
    expect_passed_untouched(error_quoting(ip_packet_of(datagram_, ip_header_bytes() - 1)), true, "pass_malformed");
}

TEST_P(IcmpMalformed, QuoteOfAnotherIpVersionPasses) {
    Bytes bad = quote();
    bad[0] = static_cast<std::uint8_t>((bad[0] & 0x0f) | (ipv4() ? 0x60 : 0x40));
    expect_passed_untouched(error_quoting(bad), true, "pass_malformed");
}

TEST_P(IcmpMalformedIpv4, QuoteWithAHeaderLongerThanTheQuotePasses) {
    Bytes bad = ip_packet_of(datagram_, kIpv4HeaderBytes + 8);
    bad[0] = 0x4f;  // 60 bytes of header claimed, 28 quoted in all
    expect_passed_untouched(error_quoting(bad), true, "pass_malformed");
}

TEST_P(IcmpMalformedIpv4, QuoteOfANonFirstFragmentPasses) {
    Bytes bad = quote();
    bad[6] = 0x00;
    bad[7] = 0x10;  // offset 128 bytes: what follows is not the UDP header
    expect_passed_untouched(error_quoting(bad), true, "pass_fragment");
}

TEST_P(IcmpMalformed, QuoteOfAnotherProtocolPasses) {
    Bytes bad = quote();
    bad[ipv4() ? 9 : 6] = ipv4() ? 1 : 58;
    expect_passed_untouched(error_quoting(bad), true, "pass_not_tcp_udp");
}

TEST_P(IcmpMalformed, QuoteOfAnUntrackedFlowPasses) {
    Bytes other = quote();
    other[ip_header_bytes()] ^= 0x01;  // another source port
    expect_passed_untouched(error_quoting(other), true, "pass_no_farm");
}

TEST_P(IcmpMalformed, ErrorNotAddressedToTheQuotedSenderPasses) {
    IcmpSpec misaddressed = error_from_backend_side(family().backend1, family().backend2, port_unreachable_type(),
                                                    port_unreachable_code(), quote());
    expect_passed_untouched(build_icmp_frame(misaddressed), true, "pass_malformed");
}

// The IP packet ends inside the quote; what follows in the frame is padding.
TEST_P(IcmpMalformed, QuoteBeyondTheIpPacketIsNotRead) {
    Bytes frame = error_quoting(quote());
    const std::size_t ends_inside_ports = ip_header_bytes() + 8 + ip_header_bytes() + 4;
    if (ipv4()) {
        frame[14 + 2] = 0;
        frame[14 + 3] = static_cast<std::uint8_t>(ends_inside_ports);
    } else {
        frame[14 + 4] = 0;
        frame[14 + 5] = static_cast<std::uint8_t>(ends_inside_ports - kIpv6HeaderBytes);
    }
    expect_passed_untouched(frame, true, "pass_malformed");
}

TEST_P(IcmpMalformed, ErrorWithoutHopsLeftIsDropped) {
    IcmpSpec error = error_from_backend_side(family().backend1, family().lb_backend_side, port_unreachable_type(),
                                             port_unreachable_code(), quote());
    error.ttl = 1;
    Bytes frame = build_icmp_frame(error);
    expect_frame(run_from_backends(frame), XDP_DROP, frame);
    EXPECT_EQ(reason_count("drop_ttl_exceeded"), 1u);
}

// ---------------------------------------------------------------- fragments

class Fragments : public Icmp {
protected:
    // `spec` made a fragment: the first (more follow) or a later one.
    Bytes fragment_of(FrameSpec spec, bool first) const {
        if (!ipv4()) return as_ipv6_fragment(build_frame(spec), first ? 0 : 16, first);
        spec.frag_off = first ? 0x2000 : 0x0010;
        return build_frame(spec);
    }

    void expect_dropped(const Bytes& frame) {
        expect_frame(run_from_client(frame), XDP_DROP, frame);
    }
};

XDPLB_FOR_EACH_FAMILY(Fragments);

TEST_P(Fragments, TcpAndUdpFragmentsToTheVipAreDroppedAndCounted) {
    configure_farms(Mode::snat);
    expect_dropped(fragment_of(from_client(family().vip, 40000, 80), true));
    expect_dropped(fragment_of(from_client(family().vip, 40000, 53, kUdp), false));
    EXPECT_EQ(reason_count("drop_fragment_to_vip"), 2u);
}

TEST_P(Fragments, FragmentsToOtherAddressesPass) {
    configure_farms(Mode::snat);
    expect_passed_untouched(fragment_of(from_client(lb_client_side(), 40000, 80), true), false, "pass_fragment");
    expect_passed_untouched(fragment_of(from_client(pick(LabAddresses::kElsewhere, "fd00::50"), 40000, 53, kUdp), false),
                            false, "pass_fragment");
}

TEST_P(Fragments, FragmentOfAProtocolNoFarmOnTheVipServesPasses) {
    model::Farm web = web_farm(Mode::snat);
    configure({{web}});
    expect_passed_untouched(fragment_of(from_client(family().vip, 40000, 53, kUdp), true), false, "pass_fragment");
}

// A large ping to the VIP: the kernel reassembles it, and answers if it holds the VIP.
TEST_P(Fragments, IcmpFragmentToTheVipPasses) {
    configure_farms(Mode::snat);
    Bytes frame;
    if (ipv4()) {
        IcmpSpec request = echo_request(family().vip);
        request.frag_off = 0x2000;
        frame = build_icmp_frame(request);
    } else {
        frame = as_ipv6_fragment(build_icmp_frame(echo_request(family().vip)), 0, true);
    }
    expect_passed_untouched(frame, false, "pass_fragment");
}

}  // namespace
}  // namespace xdplb::testing
