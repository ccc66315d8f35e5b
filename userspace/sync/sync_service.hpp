// Connection-state sync on lbd's event loop (docs/state-sync.md): one UDP
// socket on the sync port. While this node is VRRP master, each upkeep walk's
// changes go to every peer in signed batches (and an empty one when nothing
// changed, so that a backup can tell how fresh its copy is); whatever this
// node's role, the records a peer sends are checked and installed. A node
// that starts or returns from fault asks for everything (Resync), and the
// master answers with its whole table, then "resync complete".
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dataplane/program.hpp"
#include "dataplane/session_table.hpp"
#include "model/farm.hpp"
#include "sync/change_tracker.hpp"
#include "sync/farm_directory.hpp"
#include "sync/resync.hpp"
#include "sync/sync_config.hpp"
#include "sync/sync_key.hpp"
#include "sync/sync_status.hpp"
#include "sync/wire_format.hpp"

namespace xdplb::sync {

class SyncService : public dataplane::WalkListener {
public:
    using IsMaster = std::function<bool()>;

    // Reads the key and binds the port: throws SyncError or
    // boost::system::system_error. `farms` (the controller's configuration)
    // and `program` must outlive the service.
    SyncService(boost::asio::io_context& io, const SyncConfig& config, const dataplane::Program& program,
                const model::Config& farms, IsMaster is_master);

    void start();
    // Asks the peers for their whole table; may_preempt() says no until they answer.
    void begin_resync();
    // This node is the master now: the source of the state, not a taker.
    void became_master();
    bool may_preempt() const { return resync_.may_preempt(); }
    SyncStatus status() const;

    void live_entry(const dataplane::ConnectionEntry& entry, std::uint32_t timeout_s) override;
    void walk_finished() override;

private:
    struct Peer {
        IpAddress address;
        boost::asio::ip::udp::endpoint endpoint;
        ReplayWindow replay;
        bool bulk_under_way = false;
    };

    void receive();
    void take(std::size_t bytes);
    Peer* peer_of(const boost::asio::ip::udp::endpoint& sender);
    void install(const Message& message);
    void track_persistence(const FarmDirectory& directory, std::uint64_t now, bool sending,
                           std::vector<Record>& records);
    void send_to_all(const std::vector<Record>& records);
    void send(const Datagram& datagram, Peer& peer);
    void send_bulk(Peer& peer);
    void send_bulk_share(Peer& peer, std::shared_ptr<std::vector<Record>> records, std::size_t from);
    void tick();
    void warn_limited(const std::string& message);

    boost::asio::io_context& io_;
    SyncKey key_;
    std::uint16_t port_;
    boost::asio::ip::udp::socket socket_;
    boost::asio::steady_timer resync_timer_;
    const dataplane::Program& program_;
    dataplane::SessionTable tables_;
    const model::Config& farms_;
    IsMaster is_master_;
    std::vector<Peer> peers_;

    ConnectionTracker connections_;
    PersistenceTracker persistence_;
    std::vector<dataplane::ConnectionEntry> due_;  // this walk's entries a peer must be told of
    SequenceClock sequence_;
    Resync resync_;
    EntryCounts counts_;
    std::uint64_t received_before_resync_ = 0;
    std::optional<SteadyClock::time_point> last_received_;

    std::vector<std::uint8_t> buffer_;
    boost::asio::ip::udp::endpoint sender_;
    std::optional<SteadyClock::time_point> last_warning_;
    std::uint64_t warnings_held_ = 0;
};

}  // namespace xdplb::sync
