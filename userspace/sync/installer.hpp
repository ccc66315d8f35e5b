// Installs a peer's records into this node's connection and persistence
// tables, so that its data path forwards the peer's connections as the peer
// did: same backend, same SNAT address and port. A record is installed or
// refused whole; a refused one changes nothing.
#pragma once

#include <cstdint>
#include <string>

#include "dataplane/program.hpp"
#include "sync/farm_directory.hpp"
#include "sync/records.hpp"

namespace xdplb::sync {

enum class InstallOutcome {
    installed,
    unknown_farm,         // no farm or backend of that name here
    unknown_backend,
    config_disagrees,     // the names exist but mean something else here (family, address, protocol)
};

std::string_view to_string(InstallOutcome outcome);

class Installer {
public:
    Installer(const dataplane::Program& program, const FarmDirectory& directory);

    // Throws DataPlaneError when a map refuses a write.
    InstallOutcome install(const Record& record, std::uint64_t now_ns) const;

private:
    InstallOutcome install_connection(const ConnectionUpdate& update, std::uint64_t now_ns) const;
    InstallOutcome end_connection(const ConnectionEnd& end) const;
    InstallOutcome install_persistence(const PersistenceUpdate& update, std::uint64_t now_ns) const;
    InstallOutcome end_persistence(const PersistenceEnd& end) const;

    const FarmDirectory& directory_;
    int established_fd_;
    int half_open_fd_;
    int persistence_fd_;
};

}  // namespace xdplb::sync
