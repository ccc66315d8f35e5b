#include "frame.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace xdplb::testing {

namespace {

constexpr std::size_t kEthBytes = 14;
constexpr std::size_t kIpBytes = 20;
constexpr std::size_t kIpv6Bytes = 40;

void put16(Bytes& out, std::size_t at, std::uint16_t value) {
    out[at] = static_cast<std::uint8_t>(value >> 8);
    out[at + 1] = static_cast<std::uint8_t>(value & 0xff);
}

std::uint32_t ones_complement_sum(const std::uint8_t* data, std::size_t length, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < length; i += 2) sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
    if (length % 2 != 0) sum += static_cast<std::uint32_t>(data[length - 1] << 8);
    return sum;
}

std::uint16_t fold(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

bool is_ipv6(const std::string& address) { return address.find(':') != std::string::npos; }

std::vector<std::uint8_t> address_bytes(const std::string& text) {
    std::vector<std::uint8_t> bytes(is_ipv6(text) ? 16 : 4);
    if (inet_pton(is_ipv6(text) ? AF_INET6 : AF_INET, text.c_str(), bytes.data()) != 1) {
        throw std::invalid_argument("bad address " + text);
    }
    return bytes;
}

// Writes the IP header at `ip`; returns the pseudo-header sum for the L4 checksum.
std::uint32_t write_ipv4_header(Bytes& frame, const FrameSpec& spec, std::size_t l4_bytes) {
    std::uint8_t* ip = frame.data() + kEthBytes;
    ip[0] = 0x45;
    put16(frame, kEthBytes + 2, static_cast<std::uint16_t>(kIpBytes + l4_bytes));
    put16(frame, kEthBytes + 4, spec.ip_id);
    put16(frame, kEthBytes + 6, spec.frag_off);
    ip[8] = spec.ttl;
    ip[9] = spec.proto;
    auto src = address_bytes(spec.src_ip);
    auto dst = address_bytes(spec.dst_ip);
    std::copy(src.begin(), src.end(), ip + 12);
    std::copy(dst.begin(), dst.end(), ip + 16);
    put16(frame, kEthBytes + 10, fold(ones_complement_sum(ip, kIpBytes)));
    return ones_complement_sum(ip + 12, 8) + spec.proto + static_cast<std::uint32_t>(l4_bytes);
}

std::uint32_t write_ipv6_header(Bytes& frame, const FrameSpec& spec, std::size_t l4_bytes) {
    std::uint8_t* ip = frame.data() + kEthBytes;
    ip[0] = 0x60;
    put16(frame, kEthBytes + 4, static_cast<std::uint16_t>(l4_bytes));
    ip[6] = spec.proto;
    ip[7] = spec.ttl;
    auto src = address_bytes(spec.src_ip);
    auto dst = address_bytes(spec.dst_ip);
    std::copy(src.begin(), src.end(), ip + 8);
    std::copy(dst.begin(), dst.end(), ip + 24);
    return ones_complement_sum(ip + 8, 32) + spec.proto + static_cast<std::uint32_t>(l4_bytes);
}

}  // namespace

Mac mac(std::uint8_t last) { return {0x02, 0, 0, 0, 0, last}; }

Bytes build_frame(const FrameSpec& spec) {
    const bool ipv6 = is_ipv6(spec.dst_ip);
    const std::size_t ip_bytes = ipv6 ? kIpv6Bytes : kIpBytes;
    const std::size_t l4_bytes = (spec.proto == kTcp ? 20 : 8) + spec.payload.size();
    Bytes frame(kEthBytes + ip_bytes + l4_bytes, 0);

    std::copy(spec.dst_mac.begin(), spec.dst_mac.end(), frame.begin());
    std::copy(spec.src_mac.begin(), spec.src_mac.end(), frame.begin() + 6);
    put16(frame, 12, ipv6 ? 0x86dd : 0x0800);
    std::uint32_t pseudo = ipv6 ? write_ipv6_header(frame, spec, l4_bytes) : write_ipv4_header(frame, spec, l4_bytes);

    const std::size_t l4 = kEthBytes + ip_bytes;
    put16(frame, l4, spec.sport);
    put16(frame, l4 + 2, spec.dport);
    std::size_t checksum_at = 0;
    if (spec.proto == kTcp) {
        put16(frame, l4 + 4, 0x0102);  // sequence number
        frame[l4 + 12] = 5 << 4;       // data offset
        frame[l4 + 13] = spec.tcp_flags;
        put16(frame, l4 + 14, 64240);  // window
        checksum_at = l4 + 16;
    } else {
        put16(frame, l4 + 4, static_cast<std::uint16_t>(l4_bytes));
        checksum_at = l4 + 6;
    }
    std::copy(spec.payload.begin(), spec.payload.end(), frame.begin() + static_cast<std::ptrdiff_t>(l4 + l4_bytes - spec.payload.size()));

    if (spec.proto == kUdp && spec.udp_without_checksum) return frame;
    std::uint16_t checksum = fold(ones_complement_sum(frame.data() + l4, l4_bytes, pseudo));
    if (spec.proto == kUdp && checksum == 0) checksum = 0xffff;
    put16(frame, checksum_at, checksum);
    return frame;
}

Bytes build_icmp_frame(const IcmpSpec& spec) {
    const bool ipv6 = is_ipv6(spec.dst_ip);
    const std::size_t ip_bytes = ipv6 ? kIpv6Bytes : kIpBytes;
    const std::size_t icmp_bytes = 8 + spec.body.size();
    Bytes frame(kEthBytes + ip_bytes + icmp_bytes, 0);

    std::copy(spec.dst_mac.begin(), spec.dst_mac.end(), frame.begin());
    std::copy(spec.src_mac.begin(), spec.src_mac.end(), frame.begin() + 6);
    put16(frame, 12, ipv6 ? 0x86dd : 0x0800);
    FrameSpec ip;
    ip.src_ip = spec.src_ip;
    ip.dst_ip = spec.dst_ip;
    ip.ttl = spec.ttl;
    ip.frag_off = spec.frag_off;
    ip.proto = ipv6 ? 58 : 1;
    std::uint32_t pseudo = ipv6 ? write_ipv6_header(frame, ip, icmp_bytes) : write_ipv4_header(frame, ip, icmp_bytes);

    const std::size_t icmp = kEthBytes + ip_bytes;
    frame[icmp] = spec.type;
    frame[icmp + 1] = spec.code;
    put16(frame, icmp + 4, static_cast<std::uint16_t>(spec.rest >> 16));
    put16(frame, icmp + 6, static_cast<std::uint16_t>(spec.rest & 0xffff));
    std::copy(spec.body.begin(), spec.body.end(), frame.begin() + static_cast<std::ptrdiff_t>(icmp + 8));
    put16(frame, icmp + 2, fold(ones_complement_sum(frame.data() + icmp, icmp_bytes, ipv6 ? pseudo : 0)));
    return frame;
}

Bytes ip_packet_of(const Bytes& frame, std::size_t bytes) {
    std::size_t end = kEthBytes + std::min(bytes, frame.size() - kEthBytes);
    return Bytes(frame.begin() + kEthBytes, frame.begin() + static_cast<std::ptrdiff_t>(end));
}

Bytes as_ipv6_fragment(const Bytes& frame, std::uint16_t offset_units, bool more_fragments) {
    constexpr std::size_t kFragmentHeaderBytes = 8;
    const std::size_t after_fixed = kEthBytes + kIpv6Bytes;
    Bytes result(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(after_fixed));
    std::uint8_t next_header = result[kEthBytes + 6];
    result[kEthBytes + 6] = 44;
    put16(result, kEthBytes + 4, static_cast<std::uint16_t>(frame.size() - after_fixed + kFragmentHeaderBytes));
    Bytes fragment_header = {next_header, 0, 0, 0, 0x12, 0x34, 0x56, 0x78};
    put16(fragment_header, 2, static_cast<std::uint16_t>(offset_units << 3 | (more_fragments ? 1 : 0)));
    result.insert(result.end(), fragment_header.begin(), fragment_header.end());
    result.insert(result.end(), frame.begin() + static_cast<std::ptrdiff_t>(after_fixed), frame.end());
    return result;
}

std::uint16_t source_port_of(const Bytes& frame) {
    const bool ipv6 = frame.at(12) == 0x86 && frame.at(13) == 0xdd;
    const std::size_t at = kEthBytes + (ipv6 ? kIpv6Bytes : kIpBytes);
    return static_cast<std::uint16_t>(frame.at(at) << 8 | frame.at(at + 1));
}

std::uint16_t destination_port_of(const Bytes& frame) {
    const bool ipv6 = frame.at(12) == 0x86 && frame.at(13) == 0xdd;
    const std::size_t at = kEthBytes + (ipv6 ? kIpv6Bytes : kIpBytes) + 2;
    return static_cast<std::uint16_t>(frame.at(at) << 8 | frame.at(at + 1));
}

std::string source_address_of(const Bytes& frame) {
    const bool ipv6 = frame.at(12) == 0x86 && frame.at(13) == 0xdd;
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(ipv6 ? AF_INET6 : AF_INET, frame.data() + kEthBytes + (ipv6 ? 8 : 12), text, sizeof(text));
    return text;
}

std::string destination_address_of(const Bytes& frame) {
    const bool ipv6 = frame.at(12) == 0x86 && frame.at(13) == 0xdd;
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(ipv6 ? AF_INET6 : AF_INET, frame.data() + kEthBytes + (ipv6 ? 24 : 16), text, sizeof(text));
    return text;
}

std::string describe_difference(const Bytes& expected, const Bytes& actual) {
    std::size_t first = 0;
    while (first < expected.size() && first < actual.size() && expected[first] == actual[first]) ++first;
    std::string text = "sizes " + std::to_string(expected.size()) + "/" + std::to_string(actual.size()) +
                       ", first difference at byte " + std::to_string(first) + "\n";
    auto dump = [&](const char* label, const Bytes& bytes) {
        text += label;
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            char hex[8];
            std::snprintf(hex, sizeof(hex), i == first ? "[%02x]" : " %02x", bytes[i]);
            text += hex;
        }
        text += "\n";
    };
    dump("expected:", expected);
    dump("actual:  ", actual);
    return text;
}

}  // namespace xdplb::testing
