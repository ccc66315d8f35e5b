// lbd's connection-state sync flags (issue 7): --sync-peer, --sync-key-file, --sync-port.
#pragma once

#include <optional>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include "sync/sync_config.hpp"

namespace xdplb::daemon {

void add_sync_options(boost::program_options::options_description& described);

// nullopt without --sync-peer. Throws UsageError with one line: a sync flag
// without --sync-peer, sync without VRRP (the master is the one that sends),
// no key file or one that cannot be a key, a bad port, peers of mixed families.
std::optional<sync::SyncConfig> parse_sync_options(const boost::program_options::variables_map& values);

}  // namespace xdplb::daemon
