#include "probe.hpp"

namespace xdplb::bench {
namespace {

template <typename T>
void put_big_endian(T value, std::uint8_t* out) {
    for (std::size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * (sizeof(T) - 1 - i)));
}

template <typename T>
T get_big_endian(const std::uint8_t* in) {
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) value = static_cast<T>((value << 8) | in[i]);
    return value;
}

}  // namespace

void encode_probe(const Probe& probe, std::span<std::uint8_t, kProbeSize> out) {
    put_big_endian(probe.run_id, &out[0]);
    put_big_endian(probe.sequence, &out[4]);
    put_big_endian(probe.send_ns, &out[8]);
    out[16] = static_cast<std::uint8_t>(probe.kind);
}

std::optional<Probe> decode_probe(std::span<const std::uint8_t> payload) {
    if (payload.size() < kProbeSize) return std::nullopt;
    const std::uint8_t kind = payload[16];
    if (kind != static_cast<std::uint8_t>(ProbeKind::data) && kind != static_cast<std::uint8_t>(ProbeKind::end)) {
        return std::nullopt;
    }
    return Probe{get_big_endian<std::uint32_t>(&payload[0]), get_big_endian<std::uint32_t>(&payload[4]),
                 get_big_endian<std::uint64_t>(&payload[8]), static_cast<ProbeKind>(kind)};
}

}  // namespace xdplb::bench
