// Writes the model into the data plane's maps, change by change.
#pragma once

#include <cstdint>
#include <vector>

#include <xdplb/abi.h>

#include "common/ip_address.hpp"
#include "dataplane/program.hpp"
#include "model/farm.hpp"

namespace xdplb::dataplane {

// An address and its family as the maps keep them (abi.h).
xdplb_addr abi_address(const IpAddress& address);
std::uint8_t abi_family(const IpAddress& address);

// The source ports SNAT may use; the default keeps clear of the kernel's
// default ephemeral range (32768-60999), which the host's own sockets use.
struct SnatPortRange {
    std::uint16_t min = 1024;
    std::uint16_t max = 32767;
};

// What the data plane needs besides the farms (struct xdplb_settings).
struct Settings {
    SnatPortRange snat_ports;
    // A connection idle longer than this may lose its SNAT port or
    // backend-side tuple to a new one.
    // Before the backend's first reply: short, so that a flood of spoofed
    // SYNs or datagrams cannot hold SNAT ports for long.
    std::uint32_t unanswered_timeout_s = 30;
    std::uint32_t tcp_timeout_s = 7200;
    // A backend that closed first sits in TIME_WAIT for up to 2 MSL (60 s on
    // Linux): reusing its tuple sooner gets the new SYN refused (PAWS).
    std::uint32_t tcp_time_wait_timeout_s = 120;
    // Closed first by the client, or reset: the backend keeps nothing.
    std::uint32_t tcp_close_timeout_s = 10;
    std::uint32_t udp_timeout_s = 300;
};

class MapWriter {
public:
    explicit MapWriter(const Program& program);

    // Brings the maps from describing `from` to describing `to`, touching only
    // what differs. The order keeps every intermediate state coherent for the
    // packets that arrive meanwhile: backends, selection tables, farm timeouts,
    // allow/deny prefixes, VIPs, then farm entries (one per port of each farm)
    // are written; removals go the other way round (farm entries, prefixes, the
    // tables no farm uses, VIPs no farm uses, then the backends that are gone),
    // so a VIP comes with its first farm and goes with its last, and a farm's
    // lists are in place before its flags announce them. Counters are left
    // alone. Throws DataPlaneError; the caller rolls back by applying (to, from).
    void apply(const model::Config& from, const model::Config& to) const;

    // Zeroes the counters of the farms and backends whose ids `to` assigns and
    // `from` does not: a new owner of an id starts counting from zero, whatever
    // its last owner did. For a change, not for its rollback, which gives ids
    // back to the owners whose counts they hold. Throws DataPlaneError.
    void reset_stats_of_new_ids(const model::Config& from, const model::Config& to) const;

    void write_settings(const Settings& settings) const;

private:
    void write_backends(const model::Config& from, const model::Config& to) const;
    void write_tables(const model::Config& from, const model::Config& to) const;
    void write_vips(const model::Config& from, const model::Config& to) const;
    void write_farms(const model::Config& from, const model::Config& to) const;
    void remove_farms(const model::Config& from, const model::Config& to) const;
    void remove_tables(const model::Config& from, const model::Config& to) const;
    void retire_backends(const model::Config& from, const model::Config& to) const;
    void remove_vips(const model::Config& from, const model::Config& to) const;
    void write_timeouts(const model::Config& from, const model::Config& to) const;
    // One source list (allow or deny) of every farm: the prefixes `to` adds, then those it drops.
    void write_source_lists(const model::Config& from, const model::Config& to,
                            std::vector<IpPrefix> model::Farm::*list, int fd, const char* what) const;
    void remove_source_lists(const model::Config& from, const model::Config& to,
                             std::vector<IpPrefix> model::Farm::*list, int fd, const char* what) const;

    int farms_fd_;
    int tables_fd_;
    int rr_tables_fd_;
    int maglev_tables_fd_;
    int backends_fd_;
    int vips_fd_;
    int settings_fd_;
    int farm_stats_fd_;
    int backend_stats_fd_;
    int timeouts_fd_;
    int allow_fd_;
    int deny_fd_;
};

}  // namespace xdplb::dataplane
