// What every frame of xdplb-trafficgen carries in its UDP payload: the run it
// belongs to, its place in the run, and when it was sent. The last frames of
// a run are end markers, whose sequence is the number of frames sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace xdplb::bench {

enum class ProbeKind : std::uint8_t { data = 1, end = 2 };

struct Probe {
    std::uint32_t run_id = 0;
    std::uint32_t sequence = 0;
    std::uint64_t send_ns = 0;  // CLOCK_MONOTONIC: sender and receiver share the host's clock
    ProbeKind kind = ProbeKind::data;

    bool operator==(const Probe&) const = default;
};

// Network byte order: run id (4), sequence (4), send time (8), kind (1).
// It fits the 18 bytes of payload a 64-byte frame leaves.
inline constexpr std::size_t kProbeSize = 17;

void encode_probe(const Probe& probe, std::span<std::uint8_t, kProbeSize> out);

// Nothing when the bytes are too few or their kind is unknown.
std::optional<Probe> decode_probe(std::span<const std::uint8_t> payload);

}  // namespace xdplb::bench
