#include "dataplane/counters.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <array>

#include <xdplb/abi.h>

namespace xdplb::dataplane {

namespace {

constexpr std::array<const char*, XDPLB_REASON_COUNT> kReasonNames = {
    "pass_not_ip",    "pass_not_tcp_udp",      "pass_fragment",    "pass_no_farm",
    "pass_tcp_not_syn", "pass_no_neighbour",     "pass_no_route",    "pass_frag_needed",
    "pass_egress_not_attached",
    "pass_malformed",   "drop_ttl_exceeded",     "drop_no_backend",  "drop_snat_exhausted",
    "drop_no_snat_addr", "drop_nat_collision",   "drop_conntrack_insert",
    "drop_fragment_to_vip", "drop_denied_source", "drop_rate_limited", "drop_backends_full",
    "drop_dsr_not_on_link", "drop_dsr_no_neighbour", "drop_dsr_too_big",
    "tx_icmp_echo_reply", "fwd_icmp_error",
    "note_half_evicted",
};
static_assert(kReasonNames[XDPLB_REASON_COUNT - 1] != nullptr, "every enum xdplb_reason needs a name");

void add(Traffic& sum, const xdplb_traffic& part) {
    sum.packets += part.packets;
    sum.bytes += part.bytes;
}

}  // namespace

std::span<const char* const> reason_names() { return kReasonNames; }
const char* reason_name(std::uint32_t reason) { return reason < kReasonNames.size() ? kReasonNames[reason] : nullptr; }

CountersReader::CountersReader(const Program& program)
    : farm_stats_fd_(program.map_fd("farm_stats")),
      backend_stats_fd_(program.map_fd("backend_stats")),
      reason_counters_fd_(program.map_fd("reason_counters")),
      cpus_(static_cast<std::size_t>(std::max(libbpf_num_possible_cpus(), 1))) {}

FlowCounters CountersReader::farm(std::uint32_t farm_id) const { return sum_flow_counters(farm_stats_fd_, farm_id); }

FlowCounters CountersReader::backend(std::uint32_t backend_id) const {
    return sum_flow_counters(backend_stats_fd_, backend_id);
}

FlowCounters CountersReader::sum_flow_counters(int fd, std::uint32_t id) const {
    std::vector<xdplb_stats> per_cpu(cpus_);
    FlowCounters sum;
    if (bpf_map_lookup_elem(fd, &id, per_cpu.data()) != 0) return sum;
    for (const xdplb_stats& part : per_cpu) {
        add(sum.to_backend, part.to_backend);
        add(sum.to_client, part.to_client);
        sum.connections += part.connections;
    }
    return sum;
}

std::vector<std::pair<std::string, std::uint64_t>> CountersReader::reasons() const {
    std::vector<std::pair<std::string, std::uint64_t>> result;
    std::vector<std::uint64_t> per_cpu(cpus_);
    for (std::uint32_t reason = 0; reason < XDPLB_REASON_COUNT; ++reason) {
        std::uint64_t total = 0;
        if (bpf_map_lookup_elem(reason_counters_fd_, &reason, per_cpu.data()) == 0) {
            for (std::uint64_t part : per_cpu) total += part;
        }
        result.emplace_back(kReasonNames[reason], total);
    }
    return result;
}

}  // namespace xdplb::dataplane
