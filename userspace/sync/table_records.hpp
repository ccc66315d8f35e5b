// The records that describe this node's table entries to a peer: ids become
// names, the clock an idle time.
#pragma once

#include <cstdint>
#include <optional>

#include "dataplane/session_table.hpp"
#include "sync/farm_directory.hpp"
#include "sync/records.hpp"

namespace xdplb::sync {

// None when the entry's farm or backend is gone here (deleted meanwhile):
// such a connection is not worth a peer's table.
std::optional<ConnectionUpdate> record_of(const dataplane::ConnectionEntry& entry, const FarmDirectory& directory,
                                          std::uint64_t now_ns);
std::optional<PersistenceUpdate> record_of(const dataplane::PersistenceEntry& entry,
                                           const FarmDirectory& directory, std::uint64_t now_ns);

}  // namespace xdplb::sync
