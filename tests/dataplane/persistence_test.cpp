// Source persistence: a client's later connections reuse its backend while
// the entry lives and the backend may take them. The round robin scheduler
// would alternate, so a repeated backend is persistence at work.
#include <arpa/inet.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "backend_choice.hpp"

namespace xdplb::testing {
namespace {

using model::AdminState;
using model::Scheduler;

class Persistence : public BackendChoice {
protected:
    void SetUp() override {
        BackendChoice::SetUp();
        model::Farm farm = web(Scheduler::rr);
        farm.persistence = model::Persistence::srcip;
        configure({{farm}});
    }

    void set_state(const std::string& name, AdminState state) {
        model::Config changed = config_;
        changed.farms[0].find_backend(name)->state = state;
        configure(changed);
    }

    // The client's entry, read with the layout that lbd reads it with.
    bool entry_of_client(xdplb_persistence& entry) const {
        xdplb_persistence_key key{};
        key.farm_id = config_.farms[0].id;
        key.family = family().name == std::string("ipv4") ? AF_INET : AF_INET6;
        inet_pton(key.family, family().client, key.src.words);
        return bpf_map_lookup_elem(program_->map_fd("persistence"), &key, &entry) == 0;
    }
};

XDPLB_FOR_EACH_FAMILY(Persistence);

TEST_P(Persistence, LaterConnectionsOfASourceGoToItsBackend) {
    EXPECT_EQ(open(40000), 1);
    EXPECT_EQ(open(40001), 1);
    EXPECT_EQ(open(40002), 1);
}

TEST_P(Persistence, TheEntryNamesTheBackendOfTheFarm) {
    EXPECT_EQ(open(40000), 1);
    xdplb_persistence entry{};
    ASSERT_TRUE(entry_of_client(entry));
    EXPECT_EQ(entry.backend_id, backend_id("b1"));
    EXPECT_GT(entry.last_seen_ns, 0u);
}

TEST_P(Persistence, ASourceWhoseBackendLeftIsSentElsewhereAndStaysThere) {
    EXPECT_EQ(open(40000), 1);
    set_state("b1", AdminState::drain);
    EXPECT_EQ(open(40001), 2);
    set_state("b1", AdminState::up);
    EXPECT_EQ(open(40002), 2);
    EXPECT_EQ(open(40003), 2);
}

TEST_P(Persistence, ARemovedBackendIsNotReused) {
    EXPECT_EQ(open(40000), 1);
    model::Config without_b1 = config_;
    without_b1.farms[0].backends.erase(without_b1.farms[0].backends.begin());
    configure(without_b1);
    EXPECT_EQ(open(40001), 2);
}

TEST_P(Persistence, ABackendIdThatPassedToAnotherFarmIsNotFollowed) {
    EXPECT_EQ(open(40000), 1);
    model::Config changed = config_;
    changed.farms[0].backends.erase(changed.farms[0].backends.begin());
    model::Farm other = farm("other", model::Mode::dnat, 81, model::Protocol::tcp, family());
    other.backends = {backend("x1", family().backend1, 9090)};
    changed.farms.push_back(other);
    configure(changed);
    ASSERT_EQ(config_.farms[1].backends[0].id, backend_id("b2") - 1) << "x1 should have taken b1's id";
    EXPECT_EQ(open(40001), 2);
}

TEST_P(Persistence, AnExpiredEntryIsIgnored) {
    model::Config short_lived = config_;
    short_lived.farms[0].persist_ttl_s = 1;
    configure(short_lived);
    EXPECT_EQ(open(40000), 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    EXPECT_EQ(open(40001), 2);  // the next turn of round robin
}

TEST_P(Persistence, EachNewConnectionRefreshesTheEntry) {
    model::Config short_lived = config_;
    short_lived.farms[0].persist_ttl_s = 2;
    configure(short_lived);
    EXPECT_EQ(open(40000), 1);
    // 3 s in all, longer than the ttl; a gap would have to stall 1.4 s to fail.
    for (std::uint16_t port = 40001; port < 40006; ++port) {
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        EXPECT_EQ(open(port), 1) << "port " << port;
    }
}

TEST_P(Persistence, AFarmWithoutPersistenceRecordsNothing) {
    model::Config plain = config_;
    plain.farms[0].persistence = model::Persistence::none;
    configure(plain);
    EXPECT_EQ(open(40000), 1);
    EXPECT_EQ(open(40001), 2);
    xdplb_persistence entry{};
    EXPECT_FALSE(entry_of_client(entry));
}

}  // namespace
}  // namespace xdplb::testing
