// The connection tables seen from user space, against the loaded program:
// connections opened by exact frames are listed, flushed (after which their
// packets reach no tracked flow) and recounted into backend_load; stale
// entries are deleted; a walk taken in chunks survives entries vanishing.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <xdplb/abi.h>

#include <algorithm>

#include "dataplane/session_table.hpp"
#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using dataplane::ConnectionUpkeep;
using dataplane::ConnectionEntry;
using dataplane::ReadMethod;
using dataplane::SessionTable;
using model::AdminState;
using model::Mode;

xdplb_addr abi_address(const std::string& text) {
    xdplb_addr address{};
    inet_pton(text.find(':') == std::string::npos ? AF_INET : AF_INET6, text.c_str(), address.words);
    return address;
}

bool same(const xdplb_addr& a, const xdplb_addr& b) { return std::equal(a.words, a.words + 4, b.words); }

class Sessions : public PerFamily {
protected:
    void SetUp() override {
        PerFamily::SetUp();
        serve_with(AdminState::up, AdminState::up);
    }

    void serve_with(AdminState b1, AdminState b2) {
        model::Farm web = farm("web", Mode::snat, 80, model::Protocol::tcp, family());
        web.backends = {backend("b1", family().backend1, 8080), backend("b2", family().backend2, 8080)};
        web.backends[0].state = b1;
        web.backends[1].state = b2;
        configure({{web}});
    }

    std::uint32_t farm_id() const { return config_.farms[0].id; }
    std::uint32_t backend_id(int index) const { return config_.farms[0].backends[index].id; }

    FrameSpec client_frame(std::uint16_t client_port, std::uint8_t flags) const {
        FrameSpec spec = from_client(family().vip, client_port, 80);
        spec.tcp_flags = flags;
        return spec;
    }

    // A connection from client_port to b1 (answered by its SYN-ACK and
    // confirmed by the client's ACK) or b2 (left unanswered, half-open).
    // Returns its SNAT port.
    std::uint16_t open_connection(std::uint16_t client_port, int backend_index) {
        serve_with(backend_index == 0 ? AdminState::up : AdminState::maint,
                   backend_index == 1 ? AdminState::up : AdminState::maint);
        TestRun syn = run_from_client(build_frame(client_frame(client_port, kSyn)));
        EXPECT_EQ(syn.verdict, XDP_REDIRECT);
        std::uint16_t snat_port = source_port_of(syn.frame);
        if (backend_index == 0) {
            FrameSpec syn_ack = from_backend1(8080, family().lb_backend_side, snat_port, kSyn | kAck);
            EXPECT_EQ(run_from_backends(build_frame(syn_ack)).verdict, XDP_REDIRECT);
            EXPECT_EQ(run_from_client(build_frame(client_frame(client_port, kAck))).verdict, XDP_REDIRECT);
        }
        serve_with(AdminState::up, AdminState::up);
        return snat_port;
    }

    // The entries toward the backends, by client port.
    static std::vector<ConnectionEntry> toward_backends(std::vector<ConnectionEntry> entries) {
        std::erase_if(entries, [](const ConnectionEntry& entry) { return !dataplane::leads_to_backend(entry.value); });
        std::sort(entries.begin(), entries.end(),
                  [](const ConnectionEntry& a, const ConnectionEntry& b) { return ntohs(a.key.sport) < ntohs(b.key.sport); });
        return entries;
    }

    std::uint64_t load_of(std::uint32_t id) const {
        xdplb_backend_load load{};
        EXPECT_EQ(bpf_map_lookup_elem(program_->map_fd("backend_load"), &id, &load), 0);
        return load.connections;
    }

    void set_load(std::uint32_t id, std::uint64_t connections) const {
        xdplb_backend_load load{connections};
        ASSERT_EQ(bpf_map_update_elem(program_->map_fd("backend_load"), &id, &load, BPF_ANY), 0);
    }

    void remember_source(std::uint32_t farm, const std::string& source, std::uint32_t backend) const {
        xdplb_persistence_key key{};
        key.farm_id = farm;
        key.family = source.find(':') == std::string::npos ? AF_INET : AF_INET6;
        key.src = abi_address(source);
        xdplb_persistence value{};
        value.backend_id = backend;
        value.last_seen_ns = dataplane::data_plane_clock_ns();
        ASSERT_EQ(bpf_map_update_elem(program_->map_fd("persistence"), &key, &value, BPF_NOEXIST), 0);
    }
};

XDPLB_FOR_EACH_FAMILY(Sessions);

TEST_P(Sessions, ListsBothHalvesOfEachConnectionWithItsTuples) {
    std::uint16_t snat_port = open_connection(40000, 0);
    open_connection(40001, 1);

    for (ReadMethod method : {ReadMethod::batch, ReadMethod::key_by_key}) {
        std::vector<ConnectionEntry> entries = SessionTable(*program_, method).connections();
        ASSERT_EQ(entries.size(), 4u);
        std::vector<ConnectionEntry> connections = toward_backends(entries);
        ASSERT_EQ(connections.size(), 2u);

        const ConnectionEntry& answered = connections[0];
        EXPECT_TRUE(same(answered.key.src, abi_address(family().client)));
        EXPECT_TRUE(same(answered.key.dst, abi_address(family().vip)));
        EXPECT_EQ(ntohs(answered.key.sport), 40000);
        EXPECT_EQ(ntohs(answered.key.dport), 80);
        EXPECT_TRUE(same(answered.value.new_src, abi_address(family().lb_backend_side)));
        EXPECT_EQ(ntohs(answered.value.new_sport), snat_port);
        EXPECT_TRUE(same(answered.value.new_dst, abi_address(family().backend1)));
        EXPECT_EQ(ntohs(answered.value.new_dport), 8080);
        EXPECT_EQ(answered.value.farm_id, farm_id());
        EXPECT_EQ(answered.value.backend_id, backend_id(0));
        EXPECT_EQ(answered.table, dataplane::TableKind::established);
        EXPECT_EQ(dataplane::state_name(answered.value, answered.table), "open");

        const ConnectionEntry& unanswered = connections[1];
        EXPECT_EQ(ntohs(unanswered.key.sport), 40001);
        EXPECT_TRUE(same(unanswered.value.new_dst, abi_address(family().backend2)));
        EXPECT_EQ(unanswered.value.backend_id, backend_id(1));
        EXPECT_EQ(unanswered.table, dataplane::TableKind::half_open);
        EXPECT_EQ(dataplane::state_name(unanswered.value, unanswered.table), "unanswered");
    }
}

TEST_P(Sessions, FlushOfABackendCutsItsConnectionsAndTheirPacketsGoToTheStack) {
    open_connection(40000, 0);
    open_connection(40001, 0);
    open_connection(40002, 1);
    SessionTable sessions(*program_);

    dataplane::FlushCount removed = sessions.flush(farm_id(), backend_id(0));
    EXPECT_EQ(removed.connections, 2u);
    EXPECT_EQ(removed.persistence, 0u);
    std::vector<ConnectionEntry> left = sessions.connections();
    ASSERT_EQ(left.size(), 2u);
    EXPECT_EQ(left[0].value.backend_id, backend_id(1));
    EXPECT_EQ(left[1].value.backend_id, backend_id(1));

    // The flushed connection's next packet belongs to no tracked flow: the
    // LB's own stack gets it unchanged (and answers it with a reset).
    Bytes data = build_frame(client_frame(40000, kAck));
    expect_frame(run_from_client(data), XDP_PASS, data);
    EXPECT_EQ(reason_count("pass_tcp_not_syn"), 1u);
    // The connection left to b2 still flows.
    EXPECT_EQ(run_from_client(build_frame(client_frame(40002, kAck))).verdict, XDP_REDIRECT);

    EXPECT_EQ(sessions.flush(farm_id(), std::nullopt).connections, 1u);
    EXPECT_TRUE(sessions.connections().empty());
}

TEST_P(Sessions, FlushRemovesTheFarmsPersistenceEntries) {
    const std::string other_source = family().name == std::string("ipv4") ? "198.18.0.3" : "fd00::3";
    remember_source(farm_id(), family().client, backend_id(0));
    remember_source(farm_id(), other_source, backend_id(1));
    remember_source(farm_id() + 1, family().client, 99);
    SessionTable sessions(*program_);
    ASSERT_EQ(sessions.persistence_entries().size(), 3u);

    EXPECT_EQ(sessions.flush(farm_id(), backend_id(0)).persistence, 1u);
    EXPECT_EQ(sessions.flush(farm_id(), std::nullopt).persistence, 1u);
    std::vector<dataplane::PersistenceEntry> left = sessions.persistence_entries();
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].key.farm_id, farm_id() + 1);
}

TEST_P(Sessions, UpkeepRecountsEachBackendsLiveConnections) {
    open_connection(40000, 0);
    open_connection(40001, 0);
    open_connection(40002, 1);
    set_load(backend_id(0), 50);  // as if 48 connections had ended since

    for (ReadMethod method : {ReadMethod::batch, ReadMethod::key_by_key}) {
        ConnectionUpkeep upkeep(*program_, dataplane::Settings{}, method);
        dataplane::WalkSummary walk = upkeep.walk_all();
        EXPECT_EQ(walk.entries, 6u);
        EXPECT_EQ(walk.live_connections, 2u) << "the half-open connection to b2 is not counted";
        EXPECT_EQ(walk.stale_deleted, 0u);
        EXPECT_EQ(load_of(backend_id(0)), 2u);
        EXPECT_EQ(load_of(backend_id(1)), 0u);
    }
}

TEST_P(Sessions, UpkeepDeletesStaleEntriesAndTheyLeaveTheCount) {
    open_connection(40000, 0);
    open_connection(40001, 0);
    ASSERT_EQ(run_from_client(build_frame(client_frame(40000, kRst | kAck))).verdict, XDP_REDIRECT);
    dataplane::Settings close_at_once;
    close_at_once.tcp_close_timeout_s = 0;
    ConnectionUpkeep upkeep(*program_, close_at_once);

    dataplane::WalkSummary walk = upkeep.walk_all();
    EXPECT_EQ(walk.stale_deleted, 2u);
    EXPECT_EQ(walk.live_connections, 1u);
    EXPECT_EQ(load_of(backend_id(0)), 1u);
    std::vector<ConnectionEntry> left = toward_backends(SessionTable(*program_).connections());
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(ntohs(left[0].key.sport), 40001);
}

// What a walk tells its listener (connection-state sync rides on it).
struct HeardWalk : dataplane::WalkListener {
    void live_entry(const ConnectionEntry& entry, std::uint32_t timeout_s) override {
        entries.push_back(entry);
        timeouts.push_back(timeout_s);
    }
    void walk_finished() override { ++walks; }

    std::vector<ConnectionEntry> entries;
    std::vector<std::uint32_t> timeouts;
    int walks = 0;
};

TEST_P(Sessions, UpkeepTellsItsListenerOfLiveEntriesOnlyAndOfTheWalksEnd) {
    open_connection(40000, 0);
    open_connection(40001, 0);
    open_connection(40002, 1);  // half-open
    ASSERT_EQ(run_from_client(build_frame(client_frame(40000, kRst | kAck))).verdict, XDP_REDIRECT);
    dataplane::Settings settings;
    settings.tcp_close_timeout_s = 0;  // the reset connection is stale at once
    ConnectionUpkeep upkeep(*program_, settings);
    HeardWalk heard;
    upkeep.set_listener(&heard);

    upkeep.walk_all();
    EXPECT_EQ(heard.walks, 1);
    ASSERT_EQ(heard.entries.size(), 4u) << "both halves of 40001 and of the half-open 40002, not the stale 40000";
    std::vector<ConnectionEntry> toward = toward_backends(heard.entries);
    ASSERT_EQ(toward.size(), 2u);
    EXPECT_EQ(ntohs(toward[0].key.sport), 40001);
    EXPECT_EQ(ntohs(toward[1].key.sport), 40002);
    for (std::size_t i = 0; i < heard.entries.size(); ++i) {
        const bool half_open = heard.entries[i].table == dataplane::TableKind::half_open;
        EXPECT_EQ(heard.timeouts[i], half_open ? settings.unanswered_timeout_s : settings.tcp_timeout_s)
            << "the entry from port " << ntohs(heard.entries[i].key.sport);
    }
}

// Entries written straight into the table: many more than a chunk.
class UpkeepChunks : public DataPlaneTest, public ::testing::WithParamInterface<ReadMethod> {
protected:
    static constexpr std::uint32_t kBackend = 7;

    void fill(std::uint32_t count) {
        const std::uint64_t now = dataplane::data_plane_clock_ns();
        for (std::uint32_t i = 0; i < count; ++i) {
            xdplb_flow_key key{};
            key.src.words[0] = htonl(0xc6120000 + i);
            key.dst = abi_address(LabAddresses::kVip);
            key.sport = htons(40000);
            key.dport = htons(80);
            key.proto = IPPROTO_TCP;
            key.family = AF_INET;
            xdplb_flow flow{};
            flow.backend_id = kBackend;
            flow.farm_id = 1;
            flow.direction = XDPLB_DIR_TO_BACKEND;
            flow.replied = 1;
            flow.last_seen_ns = now;
            ASSERT_EQ(bpf_map_update_elem(program_->map_fd("conntrack"), &key, &flow, BPF_NOEXIST), 0);
            keys_.push_back(key);
        }
    }

    std::uint64_t load() const {
        __u32 id = kBackend;
        xdplb_backend_load value{};
        EXPECT_EQ(bpf_map_lookup_elem(program_->map_fd("backend_load"), &id, &value), 0);
        return value.connections;
    }

    std::vector<xdplb_flow_key> keys_;
};

INSTANTIATE_TEST_SUITE_P(, UpkeepChunks, ::testing::Values(ReadMethod::batch, ReadMethod::key_by_key),
                         [](const ::testing::TestParamInfo<ReadMethod>& info) {
                             return info.param == ReadMethod::batch ? "batch" : "key_by_key";
                         });

TEST_P(UpkeepChunks, WalkInSmallChunksSurvivesEntriesVanishingMidway) {
    fill(2400);
    ConnectionUpkeep upkeep(*program_, dataplane::Settings{}, GetParam());
    upkeep.begin();
    int steps = 1;
    bool done = upkeep.step(100);
    // The data path (or LRU eviction) takes entries while the walk runs.
    for (std::size_t i = 0; i < keys_.size(); i += 3) {
        ASSERT_EQ(bpf_map_delete_elem(program_->map_fd("conntrack"), &keys_[i]), 0);
    }
    for (; !done; ++steps) done = upkeep.step(100);
    // About 100 entries a step (a batch read takes at least 64 at once): 1600-2400 entries.
    EXPECT_GE(steps, 10);
    EXPECT_LE(upkeep.last_walk().entries, 2400u);
    EXPECT_GE(upkeep.last_walk().entries, 1600u);
    EXPECT_EQ(load(), upkeep.last_walk().live_connections);

    // The next walk counts exactly what is left.
    EXPECT_EQ(upkeep.walk_all().entries, 1600u);
    EXPECT_EQ(load(), 1600u);
}

}  // namespace
}  // namespace xdplb::testing
