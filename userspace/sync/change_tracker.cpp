#include "sync/change_tracker.hpp"

#include "sync/records.hpp"

namespace xdplb::sync {

bool same_for_peer(const TrackedFlow& was, const TrackedFlow& now) {
    const xdplb_flow& a = was.flow;
    const xdplb_flow& b = now.flow;
    return was.table == now.table && a.new_src == b.new_src && a.new_dst == b.new_dst &&
           a.new_sport == b.new_sport && a.new_dport == b.new_dport && a.backend_id == b.backend_id &&
           a.farm_id == b.farm_id && a.direction == b.direction && a.closing == b.closing && a.replied == b.replied;
}

bool same_for_peer(const xdplb_persistence& was, const xdplb_persistence& now) {
    return was.backend_id == now.backend_id;
}

std::uint64_t last_seen_ns(const TrackedFlow& entry) { return entry.flow.last_seen_ns; }

std::uint64_t last_seen_ns(const xdplb_persistence& entry) { return entry.last_seen_ns; }

}  // namespace xdplb::sync
