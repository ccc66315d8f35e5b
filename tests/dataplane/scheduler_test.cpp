// The schedulers of new connections: weighted round robin takes turns, the
// hash scheduler sends one key to one backend.
#include <map>
#include <set>
#include <vector>

#include "backend_choice.hpp"

namespace xdplb::testing {
namespace {

using model::Scheduler;

class Schedulers : public BackendChoice {};

XDPLB_FOR_EACH_FAMILY(Schedulers);

TEST_P(Schedulers, RoundRobinTakesTurnsInProportionToTheWeights) {
    configure({{web(Scheduler::rr, 2, 1)}});
    std::vector<int> reached;
    for (std::uint16_t port = 40000; port < 40009; ++port) reached.push_back(open(port));
    EXPECT_EQ(reached, (std::vector<int>{1, 2, 1, 1, 2, 1, 1, 2, 1}));
}

TEST_P(Schedulers, RoundRobinSkipsABackendThatLeavesTheServingSet) {
    configure({{web(Scheduler::rr)}});
    EXPECT_EQ(open(40000), 1);
    model::Config drained = config_;
    drained.farms[0].backends[1].state = model::AdminState::drain;
    configure(drained);
    EXPECT_EQ(open(40001), 1);
    EXPECT_EQ(open(40002), 1);
}

TEST_P(Schedulers, HashOfTheSourceAddressSendsEveryConnectionOfAClientToOneBackend) {
    configure({{web(Scheduler::hash)}});
    int first = open(40000);
    ASSERT_GT(first, 0);
    for (std::uint16_t port = 40001; port < 40033; ++port) EXPECT_EQ(open(port), first) << "port " << port;
}

TEST_P(Schedulers, HashOfSourceAndPortSpreadsSocketsAndKeepsEachOnItsBackend) {
    model::Farm farm = web(Scheduler::hash);
    farm.hash_key = model::HashKey::srcip_srcport;
    configure({{farm}});
    std::map<std::uint16_t, int> first;
    for (std::uint16_t port = 40000; port < 40032; ++port) first[port] = open(port);
    std::set<int> used;
    for (const auto& [port, backend] : first) used.insert(backend);
    EXPECT_EQ(used, (std::set<int>{1, 2})) << "32 keys all on one backend";

    // The same keys again, as new connections once the first ones were reset.
    for (auto& [port, backend] : first) {
        FrameSpec reset = syn(port);
        reset.tcp_flags = kRst | kAck;
        run_from_client(build_frame(reset));
        EXPECT_EQ(open(port), backend) << "port " << port;
    }
}

TEST_P(Schedulers, ChangingTheSchedulerReplacesTheTable) {
    configure({{web(Scheduler::rr)}});
    EXPECT_EQ(open(40000), 1);
    EXPECT_EQ(open(40001), 2);
    model::Config weighted = config_;
    weighted.farms[0].scheduler = Scheduler::weight;
    weighted.farms[0].backends[0].weight = 0;
    configure(weighted);
    std::uint32_t farm_id = config_.farms[0].id;
    xdplb_rr_table rr{};
    EXPECT_NE(bpf_map_lookup_elem(program_->map_fd("rr_tables"), &farm_id, &rr), 0) << "the rr table is left over";
    EXPECT_EQ(open(40002), 2);
    EXPECT_EQ(open(40003), 2);
}

TEST_P(Schedulers, HashFarmWithoutServingBackendsDropsNewConnections) {
    model::Farm farm = web(Scheduler::hash);
    for (model::Backend& backend : farm.backends) backend.state = model::AdminState::maint;
    configure({{farm}});
    EXPECT_EQ(open(40000), 0);
    EXPECT_EQ(reason_count("drop_no_backend"), 1u);
}

}  // namespace
}  // namespace xdplb::testing
