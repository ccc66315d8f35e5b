#include "template_frame.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include <cstring>

#include "internet_checksum.hpp"

namespace xdplb::bench {
TemplateFrame build_template_frame(const FrameRecipe& recipe) {
    const bool udp = recipe.transport == Transport::udp;
    const std::size_t l4_header = udp ? sizeof(udphdr) : sizeof(tcphdr);
    const std::size_t l3_offset = sizeof(ethhdr);
    const std::size_t l4_offset = l3_offset + sizeof(iphdr);
    const std::size_t size = recipe.frame_size - kEthernetFcsSize;

    TemplateFrame frame;
    frame.bytes.assign(size, 0);
    std::uint8_t* bytes = frame.bytes.data();

    ethhdr eth{};
    std::memcpy(eth.h_dest, recipe.dst_mac.data(), ETH_ALEN);
    std::memcpy(eth.h_source, recipe.src_mac.data(), ETH_ALEN);
    eth.h_proto = htons(ETH_P_IP);
    std::memcpy(bytes, &eth, sizeof(eth));

    // The IP datagram fills the frame, except a SYN's, which carries no data
    // (what is left of the frame is Ethernet padding, outside the checksums).
    const bool syn = !udp && (recipe.tcp_flags & 0x02) != 0;
    const std::size_t ip_length = syn ? sizeof(iphdr) + sizeof(tcphdr) : size - l3_offset;
    const std::size_t l4_length = ip_length - sizeof(iphdr);
    iphdr ip{};
    ip.version = 4;
    ip.ihl = 5;
    ip.tot_len = htons(static_cast<std::uint16_t>(ip_length));
    ip.ttl = 64;
    ip.frag_off = htons(0x4000);  // don't fragment
    ip.protocol = udp ? IPPROTO_UDP : IPPROTO_TCP;
    ip.daddr = htonl(recipe.dst_ip);
    std::memcpy(bytes + l3_offset, &ip, sizeof(ip));
    frame.ip_partial_sum = sum_words(&ip, sizeof(ip));

    if (udp) {
        udphdr header{};
        header.dest = htons(recipe.dst_port);
        header.len = htons(static_cast<std::uint16_t>(l4_length));
        std::memcpy(bytes + l4_offset, &header, sizeof(header));
    } else {
        tcphdr header{};
        header.dest = htons(recipe.dst_port);
        header.seq = htonl(1);
        header.ack_seq = (recipe.tcp_flags & 0x10) ? htonl(1) : 0;
        header.doff = sizeof(tcphdr) / 4;
        header.window = htons(65535);
        std::memcpy(bytes + l4_offset, &header, sizeof(header));
        bytes[l4_offset + 13] = recipe.tcp_flags;  // the flags byte of the TCP header
    }
    for (std::size_t i = l4_offset + l4_header; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i);

    Ipv4PseudoHeader pseudo{0, ip.daddr, 0, ip.protocol, htons(static_cast<std::uint16_t>(l4_length))};
    frame.l4_partial_sum = sum_words(&pseudo, sizeof(pseudo)) + sum_words(bytes + l4_offset, l4_length);
    return frame;
}

}  // namespace xdplb::bench
