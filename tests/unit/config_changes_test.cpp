#include "model/config_changes.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/operations.hpp"
#include "model_builders.hpp"

namespace xdplb::model {
namespace {

using nlohmann::json;
using testing::backend;

Farm farm(const std::string& name, std::uint16_t port, std::vector<Backend> backends) {
    Farm f;
    f.name = name;
    f.vip = *IpAddress::parse("192.0.2.10");
    f.port = port;
    f.backends = std::move(backends);
    return f;
}

// web (80: web1, web2, web3) and db (3306: db1), ids assigned.
Config live() {
    return with_ids_assigned(Config{{farm("web", 80, {backend("web1", "10.0.0.11"), backend("web2", "10.0.0.12"),
                                                       backend("web3", "10.0.0.13")}),
                                     farm("db", 3306, {backend("db1", "10.0.0.21")})}});
}

// `live()` as a file would hold it: no ids.
Config live_without_ids() {
    Config config = live();
    for (Farm& f : config.farms) {
        f.id = 0;
        for (Backend& b : f.backends) b.id = 0;
    }
    return config;
}

TEST(ConfigChanges, NoneBetweenEqualConfigurations) { EXPECT_TRUE(changes_between(live(), live()).empty()); }

TEST(ConfigChanges, NoneWhenOnlyTheOrderOfFarmsDiffers) {
    Config reordered = live();
    std::swap(reordered.farms[0], reordered.farms[1]);
    EXPECT_TRUE(changes_between(live(), reordered).empty());
}

TEST(ConfigChanges, NoneWhenOnlyIdsDiffer) {
    EXPECT_TRUE(changes_between(live(), live_without_ids()).empty());
}

TEST(ConfigChanges, FieldByFieldForFarmsAndBackends) {
    Config next = live();
    next.farms[0].scheduler = Scheduler::hash;
    next.farms[0].backends[0].weight = 5;
    next.farms[0].backends[0].state = AdminState::drain;
    const std::vector<Change> changes = changes_between(live(), next);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0], (Change{Change::Kind::change, "web", std::nullopt, {{"scheduler", "weight", "hash"}}}));
    EXPECT_EQ(changes[1], (Change{Change::Kind::change, "web", "web1", {{"state", "up", "drain"}, {"weight", 1, 5}}}));
}

TEST(ConfigChanges, AddedAndRemovedFarmsAndBackends) {
    Config next = live();
    next.farms[0].backends.pop_back();  // web3
    next.farms[0].backends.push_back(backend("web4", "10.0.0.14"));
    next.farms.pop_back();  // db
    next.farms.push_back(farm("api", 8080, {backend("api1", "10.0.0.31")}));
    const std::vector<Change> changes = changes_between(live(), next);
    const std::vector<Change> expected = {
        {Change::Kind::add, "web", "web4", {}},
        {Change::Kind::remove, "web", "web3", {}},
        {Change::Kind::add, "api", std::nullopt, {}},
        {Change::Kind::add, "api", "api1", {}},
        {Change::Kind::remove, "db", std::nullopt, {}},
    };
    EXPECT_EQ(changes, expected);
}

TEST(ConfigChanges, AFieldBackToItsDefaultShowsAsNull) {
    Config before = live();
    before.farms[0].snat_addrs = {*IpAddress::parse("192.0.2.1")};
    const std::vector<Change> changes = changes_between(before, live());
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].fields, (std::vector<FieldChange>{{"snat_addr", json::array({"192.0.2.1"}), nullptr}}));
}

TEST(ConfigChanges, AsJson) {
    Config next = live();
    next.farms[1].backends[0].weight = 3;
    next.farms[0].backends.pop_back();
    EXPECT_EQ(changes_to_json(changes_between(live(), next)), json::parse(R"([
        {"change": "remove", "farm": "web", "backend": "web3"},
        {"change": "change", "farm": "db", "backend": "db1", "fields": [{"field": "weight", "from": 1, "to": 3}]}
    ])"));
}

// ---- replace_config: the ids an apply gives ----------------------------------

TEST(ReplaceConfig, KeepsTheIdsOfTheNamesItKeeps) {
    Config next = replace_config(live(), live_without_ids());
    EXPECT_EQ(next, live());
}

TEST(ReplaceConfig, NewNamesNeverTakeTheIdsOfRemovedOnes) {
    Config wanted = live_without_ids();
    wanted.farms[0].backends.pop_back();  // web3, id 3
    wanted.farms[0].backends.push_back(backend("web4", "10.0.0.14"));
    wanted.farms.pop_back();  // db, id 2
    wanted.farms.push_back(farm("api", 8080, {}));
    Config next = replace_config(live(), wanted);
    EXPECT_EQ(next.find_farm("web")->find_backend("web4")->id, 5u);  // 1-4 are web1-3 and db1
    EXPECT_EQ(next.find_farm("api")->id, 3u);
    EXPECT_EQ(next.find_farm("web")->find_backend("web1")->id, 1u);
}

TEST(ReplaceConfig, RefusesAnInvalidConfiguration) {
    Config wanted = live_without_ids();
    wanted.farms[1].name = "web";
    EXPECT_THROW(replace_config(live(), wanted), ValidationError);
}

}  // namespace
}  // namespace xdplb::model
