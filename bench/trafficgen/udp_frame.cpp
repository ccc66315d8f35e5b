#include "udp_frame.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "internet_checksum.hpp"

namespace xdplb::bench {

void write_udp_frame(std::span<std::uint8_t> frame, const UdpEndpoints& endpoints, const Probe& probe) {
    if (frame.size() < kMinUdpFrameSize - kEthernetFcsSize || frame.size() > kMaxUdpFrameSize - kEthernetFcsSize) {
        throw std::invalid_argument("a UDP frame must be 60-1514 bytes without its FCS");
    }
    constexpr std::size_t ip_offset = sizeof(ethhdr);
    constexpr std::size_t udp_offset = ip_offset + sizeof(iphdr);
    constexpr std::size_t payload_offset = udp_offset + sizeof(udphdr);
    const auto ip_length = static_cast<std::uint16_t>(frame.size() - ip_offset);
    const auto udp_length = static_cast<std::uint16_t>(frame.size() - udp_offset);

    ethhdr eth{};
    std::memcpy(eth.h_dest, endpoints.dst_mac.data(), ETH_ALEN);
    std::memcpy(eth.h_source, endpoints.src_mac.data(), ETH_ALEN);
    eth.h_proto = htons(ETH_P_IP);
    std::memcpy(frame.data(), &eth, sizeof(eth));

    iphdr ip{};
    ip.version = 4;
    ip.ihl = 5;
    ip.tot_len = htons(ip_length);
    ip.frag_off = htons(0x4000);  // don't fragment
    ip.ttl = 64;
    ip.protocol = IPPROTO_UDP;
    ip.saddr = htonl(endpoints.src_ip);
    ip.daddr = htonl(endpoints.dst_ip);
    ip.check = fold_complement(sum_words(&ip, sizeof(ip)));
    std::memcpy(frame.data() + ip_offset, &ip, sizeof(ip));

    std::fill(frame.begin() + payload_offset, frame.end(), 0);
    encode_probe(probe, frame.subspan(payload_offset).first<kProbeSize>());
    udphdr udp{};
    udp.source = htons(endpoints.src_port);
    udp.dest = htons(endpoints.dst_port);
    udp.len = htons(udp_length);
    std::memcpy(frame.data() + udp_offset, &udp, sizeof(udp));
    const Ipv4PseudoHeader pseudo{ip.saddr, ip.daddr, 0, IPPROTO_UDP, udp.len};
    const std::uint16_t check =
        fold_complement(sum_words(&pseudo, sizeof(pseudo)) + sum_words(frame.data() + udp_offset, udp_length));
    // In UDP an all-zero checksum means "none": send its equivalent.
    udp.check = check != 0 ? check : 0xffff;
    std::memcpy(frame.data() + udp_offset, &udp, sizeof(udp));
}

std::optional<std::span<const std::uint8_t>> udp_payload(std::span<const std::uint8_t> frame) {
    ethhdr eth;
    iphdr ip;
    udphdr udp;
    if (frame.size() < sizeof(eth) + sizeof(ip)) return std::nullopt;
    std::memcpy(&eth, frame.data(), sizeof(eth));
    std::memcpy(&ip, frame.data() + sizeof(eth), sizeof(ip));
    if (eth.h_proto != htons(ETH_P_IP) || ip.version != 4 || ip.protocol != IPPROTO_UDP) return std::nullopt;
    const std::size_t udp_offset = sizeof(eth) + ip.ihl * 4u;
    if (ip.ihl < 5 || frame.size() < udp_offset + sizeof(udp)) return std::nullopt;
    std::memcpy(&udp, frame.data() + udp_offset, sizeof(udp));
    const std::size_t udp_length = ntohs(udp.len);
    if (udp_length < sizeof(udp) || frame.size() < udp_offset + udp_length) return std::nullopt;
    return frame.subspan(udp_offset + sizeof(udp), udp_length - sizeof(udp));
}

}  // namespace xdplb::bench
