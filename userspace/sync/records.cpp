#include "sync/records.hpp"

#include <cstring>

namespace xdplb::sync {

bool operator==(const xdplb_addr& a, const xdplb_addr& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool operator==(const xdplb_flow_key& a, const xdplb_flow_key& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace xdplb::sync
