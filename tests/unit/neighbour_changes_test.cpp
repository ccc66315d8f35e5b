// Which backend addresses need a managed neighbour entry added or removed for a change.
#include <gtest/gtest.h>

#include "daemon/neighbours.hpp"
#include "model_builders.hpp"

namespace xdplb::daemon {
namespace {

using model::testing::backend;

model::Farm farm(const std::string& name, model::Mode mode, std::vector<model::Backend> backends) {
    model::Farm result;
    result.name = name;
    result.vip = *IpAddress::parse("198.18.0.100");
    result.mode = mode;
    result.backends = std::move(backends);
    return result;
}

IpAddress ip(const std::string& text) { return *IpAddress::parse(text); }

TEST(NeighbourChanges, NoChangeNoEntries) {
    const model::Config config{{farm("web", model::Mode::dsr, {backend("b1", "198.18.1.11")})}};
    const NeighbourChanges changes = neighbour_changes(config, config);
    EXPECT_TRUE(changes.added.empty());
    EXPECT_TRUE(changes.removed.empty());
}

TEST(NeighbourChanges, RestoringAddsEveryDsrBackendAndNoOther) {
    const model::Config restored{{
        farm("nat", model::Mode::snat, {backend("n1", "198.18.1.21")}),
        farm("web", model::Mode::dsr, {backend("b1", "198.18.1.11"), backend("b2", "fd00:1::12")}),
        farm("direct", model::Mode::dnat, {backend("d1", "198.18.1.31")}),
    }};
    const NeighbourChanges changes = neighbour_changes(model::Config{}, restored);
    EXPECT_EQ(changes.added, (std::vector<NeighbourTarget>{{ip("198.18.1.11"), "web", "b1"},
                                                           {ip("fd00:1::12"), "web", "b2"}}));
    EXPECT_TRUE(changes.removed.empty());
}

TEST(NeighbourChanges, BackendAddedAndDeleted) {
    const model::Config one{{farm("web", model::Mode::dsr, {backend("b1", "198.18.1.11")})}};
    const model::Config two{
        {farm("web", model::Mode::dsr, {backend("b1", "198.18.1.11"), backend("b2", "198.18.1.12")})}};
    EXPECT_EQ(neighbour_changes(one, two).added, (std::vector<NeighbourTarget>{{ip("198.18.1.12"), "web", "b2"}}));
    EXPECT_TRUE(neighbour_changes(one, two).removed.empty());
    EXPECT_TRUE(neighbour_changes(two, one).added.empty());
    EXPECT_EQ(neighbour_changes(two, one).removed, std::vector<IpAddress>{ip("198.18.1.12")});
}

TEST(NeighbourChanges, ModeChangeAwayFromDsrRemovesAndBackAdds) {
    const model::Config dsr{{farm("web", model::Mode::dsr, {backend("b1", "198.18.1.11")})}};
    const model::Config snat{{farm("web", model::Mode::snat, {backend("b1", "198.18.1.11")})}};
    EXPECT_EQ(neighbour_changes(dsr, snat).removed, std::vector<IpAddress>{ip("198.18.1.11")});
    EXPECT_TRUE(neighbour_changes(dsr, snat).added.empty());
    EXPECT_EQ(neighbour_changes(snat, dsr).added, (std::vector<NeighbourTarget>{{ip("198.18.1.11"), "web", "b1"}}));
}

TEST(NeighbourChanges, FarmDeletedRemovesItsBackends) {
    const model::Config both{{farm("web", model::Mode::dsr, {backend("b1", "198.18.1.11")}),
                              farm("app", model::Mode::dsr, {backend("a1", "198.18.1.21")})}};
    const model::Config web_only{{farm("web", model::Mode::dsr, {backend("b1", "198.18.1.11")})}};
    const NeighbourChanges changes = neighbour_changes(both, web_only);
    EXPECT_TRUE(changes.added.empty());
    EXPECT_EQ(changes.removed, std::vector<IpAddress>{ip("198.18.1.21")});
}

// An address two DSR farms share keeps its entry while either still has it.
TEST(NeighbourChanges, SharedAddressCountsOnce) {
    const model::Config both{{farm("web", model::Mode::dsr, {backend("b1", "198.18.1.11")}),
                              farm("app", model::Mode::dsr, {backend("a1", "198.18.1.11")})}};
    const model::Config app_only{{farm("app", model::Mode::dsr, {backend("a1", "198.18.1.11")})}};
    EXPECT_EQ(neighbour_changes(model::Config{}, both).added,
              (std::vector<NeighbourTarget>{{ip("198.18.1.11"), "web", "b1"}}));
    const NeighbourChanges changes = neighbour_changes(both, app_only);
    EXPECT_TRUE(changes.added.empty());
    EXPECT_TRUE(changes.removed.empty());
    EXPECT_EQ(neighbour_changes(app_only, model::Config{}).removed, std::vector<IpAddress>{ip("198.18.1.11")});
}

// The same address in a DSR farm and in a NAT farm: only the DSR farm counts.
TEST(NeighbourChanges, AddressMovingBetweenModesFollowsTheDsrFarm) {
    const model::Config nat_only{{farm("nat", model::Mode::snat, {backend("n1", "198.18.1.11")})}};
    const model::Config with_dsr{{farm("nat", model::Mode::snat, {backend("n1", "198.18.1.11")}),
                                  farm("web", model::Mode::dsr, {backend("b1", "198.18.1.11")})}};
    EXPECT_EQ(neighbour_changes(nat_only, with_dsr).added,
              (std::vector<NeighbourTarget>{{ip("198.18.1.11"), "web", "b1"}}));
    EXPECT_EQ(neighbour_changes(with_dsr, nat_only).removed, std::vector<IpAddress>{ip("198.18.1.11")});
}

}  // namespace
}  // namespace xdplb::daemon
