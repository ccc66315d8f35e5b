// Connection-state sync: a backup that installs the master's synced entries
// forwards the master's established connections byte for byte as the master
// does, although its farms and backends have other ids.

#include "dataplane/session_table.hpp"
#include "dataplane_fixture.hpp"
#include "model/operations.hpp"
#include "sync/installer.hpp"
#include "sync/table_records.hpp"
#include "sync/wire_format.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;

sync::SyncKey test_key() {
    std::string text = "a key of sixteen or more bytes";
    return sync::SyncKey({text.begin(), text.end()});
}

std::size_t entries_in(int map_fd) { return keys_in<xdplb_flow_key>(map_fd); }

// A second node on the same lab: its own program and maps.
struct Node {
    explicit Node(const model::Config& wanted) : program(4096), config(model::with_ids_assigned(wanted)) {
        DataPlaneTest::load_in_lab(program);
        dataplane::MapWriter writer(program);
        writer.write_settings({});
        writer.apply({}, config);
    }

    dataplane::Program program;
    model::Config config;
};

class StateSync : public PerFamily {
protected:
    void SetUp() override {
        PerFamily::SetUp();
        configure({{web_farm(Mode::snat)}});
    }

    FrameSpec client_packet(std::uint8_t flags, const std::string& payload = "") const {
        FrameSpec spec = from_client(family().vip, 40000, 80);
        spec.tcp_flags = flags;
        spec.payload = payload;
        return spec;
    }

    // SYN, SYN-ACK, ACK through the master; returns the SNAT port.
    std::uint16_t handshake() {
        TestRun syn = run_from_client(build_frame(client_packet(kSyn)));
        EXPECT_EQ(syn.verdict, XDP_REDIRECT);
        std::uint16_t snat_port = source_port_of(syn.frame);
        FrameSpec syn_ack = from_backend1(8080, family().lb_backend_side, snat_port, kSyn | kAck);
        EXPECT_EQ(run_from_backends(build_frame(syn_ack)).verdict, XDP_REDIRECT);
        EXPECT_EQ(run_from_client(build_frame(client_packet(kAck))).verdict, XDP_REDIRECT);
        return snat_port;
    }

    // The master's connection entries as the backup receives them: through
    // the wire format, signed and checked.
    std::vector<sync::Record> master_records() const {
        sync::FarmDirectory directory(config_);
        std::uint64_t now = dataplane::data_plane_clock_ns();
        std::vector<sync::Record> records;
        for (const auto& entry : dataplane::SessionTable(*program_).connections()) {
            auto record = sync::record_of(entry, directory, now);
            EXPECT_TRUE(record.has_value());
            if (record) records.push_back(*record);
        }
        sync::SequenceClock sequence;
        std::vector<sync::Record> received;
        for (const auto& datagram : sync::encode_batches(records, sequence, 1, test_key())) {
            auto message = sync::decode(datagram, test_key());
            received.insert(received.end(), message.records.begin(), message.records.end());
        }
        return received;
    }

    static std::vector<sync::InstallOutcome> install(const Node& node, const std::vector<sync::Record>& records) {
        sync::FarmDirectory directory(node.config);
        sync::Installer installer(node.program, directory);
        std::vector<sync::InstallOutcome> outcomes;
        for (const auto& record : records)
            outcomes.push_back(installer.install(record, dataplane::data_plane_clock_ns()));
        return outcomes;
    }

    // The backup's farms: another farm first, and another backend before b1,
    // so that "web" and "b1" have other ids than on the master.
    model::Config backup_config() const {
        model::Farm other = farm("other", Mode::snat, 81, model::Protocol::tcp, family());
        other.backends = {backend("x", family().backend2, 81)};
        model::Farm web = web_farm(Mode::snat);
        web.backends.insert(web.backends.begin(), backend("b0", family().backend2, 8080, 0));
        return {{other, web}};
    }
};

XDPLB_FOR_EACH_FAMILY(StateSync);

TEST_P(StateSync, BackupForwardsASyncedConnectionAsTheMasterDoes) {
    std::uint16_t snat_port = handshake();
    std::vector<sync::Record> records = master_records();
    ASSERT_EQ(records.size(), 2u);  // both halves

    Node backup(backup_config());
    ASSERT_NE(backup.config.farms[1].id, config_.farms[0].id);
    for (auto outcome : install(backup, records)) EXPECT_EQ(outcome, sync::InstallOutcome::installed);
    EXPECT_EQ(entries_in(backup.program.map_fd("conntrack")), 2u);
    EXPECT_EQ(entries_in(backup.program.map_fd("conntrack_halfopen")), 0u);

    Bytes data = build_frame(client_packet(kAck, "hello"));
    TestRun on_master = run_from_client(data);
    ASSERT_EQ(on_master.verdict, XDP_REDIRECT);
    expect_frame(run_program(backup.program.program_fd(), data, lab().eth0()), on_master.verdict, on_master.frame);

    Bytes reply = build_frame(from_backend1(8080, family().lb_backend_side, snat_port, kAck));
    TestRun reply_on_master = run_from_backends(reply);
    ASSERT_EQ(reply_on_master.verdict, XDP_REDIRECT);
    expect_frame(run_program(backup.program.program_fd(), reply, lab().eth1()), reply_on_master.verdict,
                 reply_on_master.frame);
}

TEST_P(StateSync, HalfOpenEntriesStayHalfOpenOnTheBackup) {
    ASSERT_EQ(run_from_client(build_frame(client_packet(kSyn))).verdict, XDP_REDIRECT);
    Node backup(backup_config());
    for (auto outcome : install(backup, master_records())) EXPECT_EQ(outcome, sync::InstallOutcome::installed);
    EXPECT_EQ(entries_in(backup.program.map_fd("conntrack")), 0u);
    EXPECT_EQ(entries_in(backup.program.map_fd("conntrack_halfopen")), 2u);
}

TEST_P(StateSync, EndedConnectionsLeaveTheBackup) {
    handshake();
    std::vector<sync::Record> records = master_records();
    Node backup(backup_config());
    install(backup, records);
    std::vector<sync::Record> ends;
    for (const auto& record : records)
        ends.emplace_back(std::in_place_type<sync::ConnectionEnd>, std::get<sync::ConnectionUpdate>(record).key);
    install(backup, ends);
    EXPECT_EQ(entries_in(backup.program.map_fd("conntrack")), 0u);
}

TEST_P(StateSync, BackupRefusesEntriesItsFarmsDoNotMatch) {
    handshake();
    std::vector<sync::Record> records = master_records();

    model::Config without_web = backup_config();
    without_web.farms.pop_back();
    model::Config without_b1 = backup_config();
    without_b1.farms[1].backends.pop_back();
    model::Config b1_elsewhere = backup_config();
    b1_elsewhere.farms[1].backends.back().ip = *IpAddress::parse(family().backend2);

    for (auto [config, refusal] : {std::pair{without_web, sync::InstallOutcome::unknown_farm},
                                   std::pair{without_b1, sync::InstallOutcome::unknown_backend}}) {
        Node backup(config);
        for (auto outcome : install(backup, records)) EXPECT_EQ(outcome, refusal);
        EXPECT_EQ(entries_in(backup.program.map_fd("conntrack")), 0u);
    }
    // "b1" is another address here: both halves refused.
    Node backup(b1_elsewhere);
    for (auto outcome : install(backup, records)) EXPECT_EQ(outcome, sync::InstallOutcome::config_disagrees);
    EXPECT_EQ(entries_in(backup.program.map_fd("conntrack")), 0u);
}

}  // namespace
}  // namespace xdplb::testing
