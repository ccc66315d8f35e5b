// The Internet checksum (RFC 1071) of the bench's frame builders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace xdplb::bench {

// The one's-complement sum, not folded, of the 16-bit words as they lie in
// memory (an odd tail padded with a zero byte). Sums of several pieces add
// up as long as every piece but the last has an even length.
inline std::uint64_t sum_words(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    std::uint64_t sum = 0;
    std::size_t i = 0;
    for (; i + 1 < size; i += 2) {
        std::uint16_t word;
        std::memcpy(&word, bytes + i, sizeof(word));
        sum += word;
    }
    if (i < size) {
        const std::uint8_t last[2] = {bytes[i], 0};
        std::uint16_t word;
        std::memcpy(&word, last, sizeof(word));
        sum += word;
    }
    return sum;
}

// What UDP and TCP checksums over IPv4 cover besides their own segment, all
// fields in network byte order.
struct Ipv4PseudoHeader {
    std::uint32_t saddr;
    std::uint32_t daddr;
    std::uint8_t zero;
    std::uint8_t protocol;
    std::uint16_t length;
};

// The checksum field's value for a sum taken with that field zero, in the
// same memory order as the sum.
inline std::uint16_t fold_complement(std::uint64_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

}  // namespace xdplb::bench
