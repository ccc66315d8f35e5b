// Forwarding decisions around the rewrite: TTL, neighbours, farms that cannot
// take a connection.
#include "dataplane_fixture.hpp"

namespace xdplb::testing {
namespace {

using model::Mode;

class Forwarding : public DataPlaneTest {
protected:
    void configure_web(std::vector<model::Backend> backends) {
        model::Farm web = farm("web", Mode::dnat, 80);
        web.backends = std::move(backends);
        configure({{web}});
    }
};

TEST_F(Forwarding, TtlOfOneIsDroppedUntouched) {
    configure_web({backend("b1", LabAddresses::kBackend1, 8080)});
    FrameSpec syn = from_client(LabAddresses::kVip, 40000, 80);
    syn.ttl = 1;
    Bytes frame = build_frame(syn);
    expect_frame(run_from_client(frame), XDP_DROP, frame);
    EXPECT_EQ(reason_count("drop_ttl_exceeded"), 1u);
}

TEST_F(Forwarding, UnresolvedNeighbourGoesToTheKernelAlreadyRewritten) {
    configure_web({backend("b1", LabAddresses::kBackendWithoutNeighbour, 8080)});
    FrameSpec syn = from_client(LabAddresses::kVip, 40000, 80);
    // The kernel forwards it, resolving the neighbour: addresses are
    // translated, MACs and TTL are the kernel's to set.
    FrameSpec expected = syn;
    expected.dst_ip = LabAddresses::kBackendWithoutNeighbour;
    expected.dport = 8080;
    expect_frame(run_from_client(build_frame(syn)), XDP_PASS, build_frame(expected));
    EXPECT_EQ(reason_count("pass_no_neighbour"), 1u);
}

TEST_F(Forwarding, FarmWithoutBackendsDropsNewConnections) {
    configure_web({});
    Bytes frame = build_frame(from_client(LabAddresses::kVip, 40000, 80));
    expect_frame(run_from_client(frame), XDP_DROP, frame);
    EXPECT_EQ(reason_count("drop_no_backend"), 1u);
}

TEST_F(Forwarding, FarmWhoseBackendsAllDrainDropsNewConnections) {
    model::Backend drained = backend("b1", LabAddresses::kBackend1, 8080);
    drained.state = model::AdminState::drain;
    model::Backend in_maintenance = backend("b2", LabAddresses::kBackend2, 8080);
    in_maintenance.state = model::AdminState::maint;
    configure_web({drained, in_maintenance});
    Bytes frame = build_frame(from_client(LabAddresses::kVip, 40000, 80));
    expect_frame(run_from_client(frame), XDP_DROP, frame);
}

TEST_F(Forwarding, DeletedFarmStopsMatchingNewConnections) {
    configure_web({backend("b1", LabAddresses::kBackend1, 8080)});
    configure({});
    Bytes frame = build_frame(from_client(LabAddresses::kVip, 40000, 80));
    expect_frame(run_from_client(frame), XDP_PASS, frame);
}

TEST_F(Forwarding, BackupTierServesWhenThePrimaryIsDown) {
    model::Backend primary = backend("b1", LabAddresses::kBackend1, 8080);
    primary.state = model::AdminState::maint;
    model::Backend backup = backend("b2", LabAddresses::kBackend2, 8080);
    backup.priority = 2;
    configure_web({primary, backup});

    FrameSpec syn = from_client(LabAddresses::kVip, 40000, 80);
    FrameSpec expected = forwarded(syn, kEth1Mac, kBackend2Mac);
    expected.dst_ip = LabAddresses::kBackend2;
    expected.dport = 8080;
    expect_frame(run_from_client(build_frame(syn)), XDP_REDIRECT, build_frame(expected));
}

}  // namespace
}  // namespace xdplb::testing
