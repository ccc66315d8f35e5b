// Connection caps: a backend at max_connections gives way to the others; when
// every backend is full the connection is dropped and counted.
#include "backend_choice.hpp"

namespace xdplb::testing {
namespace {

using model::Scheduler;

class MaxConnections : public BackendChoice {
protected:
    // b1 capped at 10 connections and already holding them.
    void configure_with_full_b1(model::Farm farm) {
        farm.backends[0].max_connections = 10;
        configure({{farm}});
        set_load("b1", 10);
    }
};

XDPLB_FOR_EACH_FAMILY(MaxConnections);

TEST_P(MaxConnections, EachConfirmedConnectionOfACappedBackendIsCounted) {
    model::Farm farm = web(Scheduler::rr);
    farm.backends[0].max_connections = 100;
    configure({{farm}});
    open_confirmed(40000);
    open_confirmed(40001);
    open_confirmed(40002);
    EXPECT_EQ(load_of("b1"), 2u);
    EXPECT_EQ(load_of("b2"), 0u) << "an uncapped backend is left to lbd's recount";
}

// A flood of handshakes never completed cannot fill a backend's cap.
TEST_P(MaxConnections, HalfOpenConnectionsAreNotCounted) {
    model::Farm farm = web(Scheduler::rr);
    farm.backends[0].max_connections = 1;
    configure({{farm}});
    for (std::uint16_t port = 40000; port < 40008; ++port) EXPECT_NE(open(port), 0) << "port " << port;
    EXPECT_EQ(load_of("b1"), 0u);
}

TEST_P(MaxConnections, RoundRobinPassesOverAFullBackend) {
    configure_with_full_b1(web(Scheduler::rr));
    for (std::uint16_t port = 40000; port < 40004; ++port) EXPECT_EQ(open(port), 2) << "port " << port;
    EXPECT_EQ(load_of("b1"), 10u);
}

TEST_P(MaxConnections, HashGivesTheKeysOfAFullBackendToAnother) {
    model::Farm farm = web(Scheduler::hash);
    farm.hash_key = model::HashKey::srcip_srcport;
    configure_with_full_b1(farm);
    for (std::uint16_t port = 40000; port < 40016; ++port) EXPECT_EQ(open(port), 2) << "port " << port;
}

TEST_P(MaxConnections, WeightedRandomGivesEveryConnectionToTheBackendWithRoom) {
    // Most draws hit b1 (weight 20 of 21), and some every draw: the search
    // over the serving backends then finds b2.
    configure_with_full_b1(web(Scheduler::weight, 20, 1));
    for (std::uint16_t port = 40000; port < 40064; ++port) EXPECT_EQ(open(port), 2) << "port " << port;
    EXPECT_EQ(reason_count("drop_backends_full"), 0u);
}

TEST_P(MaxConnections, TheSearchFindsTheOnlyBackendWithRoomAmongMany) {
    // rr over b1 and b2 (full, 10 turns each) and b3 (b1's address, 1 turn,
    // with room): the first connection's four turns are all full ones, the
    // search then finds b3 whatever slot it starts at.
    model::Farm farm = web(Scheduler::rr, 10, 10);
    farm.backends.push_back(backend("b3", family().backend1, 8080, 1));
    farm.backends[0].max_connections = 1;
    farm.backends[1].max_connections = 1;
    farm.backends[2].max_connections = 100;
    configure({{farm}});
    set_load("b1", 1);
    set_load("b2", 1);
    for (std::uint16_t port = 40000; port < 40008; ++port) EXPECT_EQ(open_confirmed(port), 1) << "port " << port;
    EXPECT_EQ(load_of("b3"), 8u);
}

TEST_P(MaxConnections, BelowTheCapABackendStillServes) {
    model::Farm farm = web(Scheduler::rr);
    farm.backends[0].max_connections = 10;
    configure({{farm}});
    set_load("b1", 9);
    EXPECT_EQ(open_confirmed(40000), 1);
    EXPECT_EQ(open(40001), 2);
    EXPECT_EQ(open(40002), 2);  // b1 now holds 10
}

TEST_P(MaxConnections, WhenEveryBackendIsFullTheConnectionIsDropped) {
    for (Scheduler scheduler : {Scheduler::weight, Scheduler::rr, Scheduler::hash}) {
        model::Farm farm = web(scheduler);
        farm.backends[0].max_connections = 1;
        farm.backends[1].max_connections = 1;
        configure({{farm}});
        set_load("b1", 1);
        set_load("b2", 5);
        EXPECT_EQ(open(40000), 0) << model::to_string(scheduler);
    }
    EXPECT_EQ(reason_count("drop_backends_full"), 3u);
}

TEST_P(MaxConnections, APersistentSourceWhoseBackendIsFullGoesElsewhere) {
    model::Farm farm = web(Scheduler::rr);
    farm.persistence = model::Persistence::srcip;
    farm.backends[0].max_connections = 10;
    configure({{farm}});
    EXPECT_EQ(open(40000), 1);
    set_load("b1", 10);
    EXPECT_EQ(open(40001), 2);
    EXPECT_EQ(open(40002), 2);
}

}  // namespace
}  // namespace xdplb::testing
