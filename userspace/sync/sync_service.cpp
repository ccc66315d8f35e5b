#include "sync/sync_service.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <memory>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <spdlog/spdlog.h>

#include "sync/farm_directory.hpp"
#include "sync/installer.hpp"
#include "sync/table_records.hpp"

namespace xdplb::sync {

namespace {

using boost::asio::ip::udp;

// Room for a bulk resync's shares (below) while the loop is busy elsewhere:
// the kernel's default (some 200 KiB) holds only 150 datagrams.
constexpr int kReceiveBufferBytes = 4 << 20;
// A bulk resync goes out a share at a time, kBulkPause apart, so that the
// receiver's buffer never overflows and this loop serves its API meanwhile.
constexpr std::size_t kBulkShareRecords = 960;  // some 64 datagrams, 90 KB
constexpr std::chrono::milliseconds kBulkPause{5};
constexpr std::chrono::milliseconds kResyncTick{100};
constexpr std::chrono::seconds kWarningInterval{10};
constexpr std::uint64_t kNsPerSecond = 1'000'000'000;

udp::endpoint endpoint_of(const IpAddress& address, std::uint16_t port) {
    return {boost::asio::ip::make_address(address.to_string()), port};
}

// Socket buffers beyond net.core.rmem_max need CAP_NET_ADMIN, which lbd has;
// without it the kernel's limit stays, and a large resync may lose datagrams.
void enlarge_receive_buffer(udp::socket& socket) {
    int bytes = kReceiveBufferBytes;
    if (::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0) {
        socket.set_option(udp::socket::receive_buffer_size(kReceiveBufferBytes));
    }
}

}  // namespace

SyncService::SyncService(boost::asio::io_context& io, const SyncConfig& config, const dataplane::Program& program,
                         const model::Config& farms, IsMaster is_master)
    : io_(io),
      key_(SyncKey::from_file(config.key_file)),
      port_(config.port),
      socket_(io),
      resync_timer_(io),
      program_(program),
      tables_(program),
      farms_(farms),
      is_master_(std::move(is_master)),
      buffer_(65536) {
    const bool v6 = config.peers.front().family() == IpAddress::Family::v6;
    socket_.open(v6 ? udp::v6() : udp::v4());
    socket_.bind(udp::endpoint(v6 ? udp::v6() : udp::v4(), port_));
    enlarge_receive_buffer(socket_);
    for (const IpAddress& peer : config.peers) peers_.push_back({peer, endpoint_of(peer, port_), {}, false});
}

void SyncService::start() {
    std::string peers;
    for (const Peer& peer : peers_) peers += (peers.empty() ? "" : ", ") + peer.address.to_string();
    spdlog::info("sync: on UDP port {} with {}", port_, peers);
    receive();
}

// ------------------------------------------------------------------ resync
void SyncService::begin_resync() {
    resync_.begin(SteadyClock::now());
    received_before_resync_ = counts_.received;
    spdlog::info("sync: asking the peers for their connections");
    tick();
}

void SyncService::became_master() {
    if (resync_.state() == SyncState::resyncing) spdlog::info("sync: master now, resync no longer awaited");
    resync_.became_master();
}

void SyncService::tick() {
    const SteadyClock::time_point now = SteadyClock::now();
    if (resync_.request_due(now)) {
        const Datagram request = encode({MessageType::resync_request, sequence_.next(wall_clock_ns()), {}}, key_);
        for (Peer& peer : peers_) send(request, peer);
    }
    if (resync_.give_up_if_quiet(now)) {
        spdlog::warn("sync: no peer answered for {} s: going on without their connections",
                     std::chrono::seconds(kQuietLimit).count());
    }
    if (resync_.state() != SyncState::resyncing) return;
    resync_timer_.expires_after(kResyncTick);
    resync_timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error) tick();
    });
}

SyncStatus SyncService::status() const {
    SyncStatus status{resync_.state(), {}, std::nullopt, counts_};
    for (const Peer& peer : peers_) status.peers.push_back(peer.address);
    if (last_received_) status.since_last_received = SteadyClock::now() - *last_received_;
    return status;
}

// ------------------------------------------------------------------ sending
// Every node tracks its tables, the backup too: when it becomes master, its
// peers either hold what it holds (they sent it) or ask for everything.
void SyncService::live_entry(const dataplane::ConnectionEntry& entry, std::uint32_t timeout_s) {
    const std::uint64_t refresh_ns = std::uint64_t{timeout_s} * kNsPerSecond / 2;
    if (connections_.saw(entry.key, TrackedFlow{entry.table, entry.value}, refresh_ns) && is_master_()) {
        due_.push_back(entry);
    }
}

// Records are made at the walk's end, with the configuration as it is then:
// an API change between two chunks of the walk may have replaced the farms.
void SyncService::walk_finished() {
    const bool sending = is_master_();
    std::vector<Record> records;
    try {
        const FarmDirectory directory(farms_);
        const std::uint64_t now = dataplane::data_plane_clock_ns();
        for (const dataplane::ConnectionEntry& entry : due_) {
            if (auto record = record_of(entry, directory, now)) records.push_back(std::move(*record));
        }
        for (const xdplb_flow_key& key : connections_.finish_walk()) {
            if (sending) records.push_back(ConnectionEnd{key});
        }
        track_persistence(directory, now, sending, records);
        if (sending) send_to_all(records);
    } catch (const std::exception& error) {
        warn_limited(std::string("sync: ") + error.what());
    }
    due_.clear();
}

void SyncService::track_persistence(const FarmDirectory& directory, std::uint64_t now, bool sending,
                                    std::vector<Record>& records) {
    for (const dataplane::PersistenceEntry& entry : tables_.persistence_entries()) {
        const model::Farm* farm = directory.farm_by_id(entry.key.farm_id);
        const std::uint64_t refresh_ns = farm ? std::uint64_t{farm->persist_ttl_s} * kNsPerSecond / 2 : 0;
        if (!persistence_.saw(entry.key, entry.value, refresh_ns) || !sending) continue;
        if (auto record = record_of(entry, directory, now)) records.push_back(std::move(*record));
    }
    for (const xdplb_persistence_key& key : persistence_.finish_walk()) {
        const model::Farm* farm = directory.farm_by_id(key.farm_id);
        if (sending && farm) records.push_back(PersistenceEnd{farm->name, key.family, key.src});
    }
}

// With nothing to tell, an empty batch: the backups' lag stays measured.
void SyncService::send_to_all(const std::vector<Record>& records) {
    std::vector<Datagram> datagrams = encode_batches(records, sequence_, wall_clock_ns(), key_);
    if (datagrams.empty()) datagrams.push_back(encode({MessageType::records, sequence_.next(wall_clock_ns()), {}}, key_));
    for (Peer& peer : peers_) {
        for (const Datagram& datagram : datagrams) send(datagram, peer);
        counts_.sent += records.size();
    }
}

void SyncService::send(const Datagram& datagram, Peer& peer) {
    boost::system::error_code error;
    socket_.send_to(boost::asio::buffer(datagram), peer.endpoint, 0, error);
    if (error) warn_limited("sync: cannot send to " + peer.address.to_string() + ": " + error.message());
}

// Everything as last tracked (at most a walk old), a share at a time, each
// share numbered as it goes out so that the peer's replay window sees the
// numbers rise whatever walk batches go out in between; then "complete".
void SyncService::send_bulk(Peer& peer) {
    if (peer.bulk_under_way) return;
    const FarmDirectory directory(farms_);
    const std::uint64_t now = dataplane::data_plane_clock_ns();
    auto records = std::make_shared<std::vector<Record>>();
    connections_.for_each([&](const xdplb_flow_key& key, const TrackedFlow& tracked) {
        dataplane::ConnectionEntry entry;
        entry.key = key;
        entry.value = tracked.flow;
        entry.table = tracked.table;
        if (auto record = record_of(entry, directory, now)) records->push_back(std::move(*record));
    });
    persistence_.for_each([&](const xdplb_persistence_key& key, const xdplb_persistence& value) {
        if (auto record = record_of(dataplane::PersistenceEntry{key, value}, directory, now)) {
            records->push_back(std::move(*record));
        }
    });
    spdlog::info("sync: {} asked for everything: sending {} entries", peer.address.to_string(), records->size());
    peer.bulk_under_way = true;
    send_bulk_share(peer, std::move(records), 0);
}

void SyncService::send_bulk_share(Peer& peer, std::shared_ptr<std::vector<Record>> records, std::size_t from) {
    const std::size_t to = std::min(records->size(), from + kBulkShareRecords);
    try {
        const std::vector<Record> share(records->begin() + static_cast<std::ptrdiff_t>(from),
                                        records->begin() + static_cast<std::ptrdiff_t>(to));
        for (const Datagram& datagram : encode_batches(share, sequence_, wall_clock_ns(), key_)) send(datagram, peer);
        counts_.sent += share.size();
        if (to == records->size()) {
            send(encode({MessageType::resync_complete, sequence_.next(wall_clock_ns()), {}}, key_), peer);
            peer.bulk_under_way = false;
            return;
        }
    } catch (const SyncError& error) {
        warn_limited(std::string("sync: bulk resync: ") + error.what());
        peer.bulk_under_way = false;
        return;
    }
    auto pause = std::make_shared<boost::asio::steady_timer>(io_, kBulkPause);
    pause->async_wait([this, &peer, records, to, pause](const boost::system::error_code& error) {
        if (!error) send_bulk_share(peer, records, to);
    });
}

// ------------------------------------------------------------------ receiving
void SyncService::receive() {
    socket_.async_receive_from(boost::asio::buffer(buffer_), sender_,
                               [this](const boost::system::error_code& error, std::size_t bytes) {
                                   if (error == boost::asio::error::operation_aborted) return;
                                   if (!error) take(bytes);
                                   receive();
                               });
}

SyncService::Peer* SyncService::peer_of(const udp::endpoint& sender) {
    for (Peer& peer : peers_) {
        if (peer.endpoint.address() == sender.address()) return &peer;
    }
    return nullptr;
}

void SyncService::take(std::size_t bytes) {
    const std::string from = sender_.address().to_string();
    Peer* peer = peer_of(sender_);
    if (!peer) {
        warn_limited("sync: a datagram from " + from + ", not a --sync-peer, dropped");
        return;
    }
    Message message;
    try {
        message = decode({buffer_.data(), bytes}, key_);
    } catch (const SyncError& error) {
        warn_limited("sync: a datagram from " + from + " refused: " + error.what());
        return;
    }
    if (!peer->replay.accept(message.sequence, wall_clock_ns())) {
        counts_.rejected += message.records.size();
        warn_limited("sync: a datagram from " + from + " refused: replayed, or its clock is more than " +
                     std::to_string(std::chrono::seconds(kMaxClockSkew).count()) + " s from ours");
        return;
    }
    const SteadyClock::time_point now = SteadyClock::now();
    last_received_ = now;
    resync_.heard_from_peer(now);
    switch (message.type) {
    case MessageType::records:
        install(message);
        break;
    case MessageType::resync_request:
        if (is_master_()) send_bulk(*peer);
        break;
    case MessageType::resync_complete:
        if (resync_.state() == SyncState::resyncing) {
            resync_.completed();
            spdlog::info("sync: resync from {} complete: {} entries installed", from,
                         counts_.received - received_before_resync_);
        }
        break;
    }
}

void SyncService::install(const Message& message) {
    const FarmDirectory directory(farms_);
    const Installer installer(program_, directory);
    const std::uint64_t now = dataplane::data_plane_clock_ns();
    for (const Record& record : message.records) {
        try {
            const InstallOutcome outcome = installer.install(record, now);
            if (outcome == InstallOutcome::installed) {
                ++counts_.received;
            } else {
                ++counts_.rejected;
                warn_limited("sync: a record refused: " + std::string(to_string(outcome)));
            }
        } catch (const dataplane::DataPlaneError& error) {
            ++counts_.rejected;
            warn_limited(std::string("sync: a record not installed: ") + error.what());
        }
    }
}

// A flood of bad datagrams must not flood the log: one line per interval,
// with the count of those held back.
void SyncService::warn_limited(const std::string& message) {
    const SteadyClock::time_point now = SteadyClock::now();
    if (last_warning_ && now - *last_warning_ < kWarningInterval) {
        ++warnings_held_;
        return;
    }
    if (warnings_held_ > 0) {
        spdlog::warn("{} ({} more sync warnings in the last {} s)", message, warnings_held_,
                     std::chrono::seconds(kWarningInterval).count());
    } else {
        spdlog::warn("{}", message);
    }
    last_warning_ = now;
    warnings_held_ = 0;
}

}  // namespace xdplb::sync
