#include "model/operations.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "model/validation_error.hpp"
#include "model_builders.hpp"

namespace xdplb::model {
namespace {

// ---- helpers -------------------------------------------------------------------

using testing::backend;

Farm farm(const std::string& name, std::uint16_t port, std::initializer_list<Backend> backends = {}) {
    Farm f;
    f.name = name;
    f.vip = *IpAddress::parse("192.0.2.10");
    f.port = port;
    f.backends = backends;
    return f;
}

// web (farm 1: web1 = 1, web2 = 2) and api (farm 2: api1 = 3), ids as the operations give them.
Config sample_config() {
    Config config;
    config = add_farm(config, farm("web", 80, {backend("web1", "10.0.0.11"), backend("web2", "10.0.0.12")}));
    config = add_farm(config, farm("api", 8080, {backend("api1", "10.0.0.21")}));
    return config;
}

std::uint32_t farm_id(const Config& config, const std::string& name) { return existing_farm(config, name).id; }

std::uint32_t backend_id(const Config& config, const std::string& farm_name, const std::string& name) {
    return existing_backend(existing_farm(config, farm_name), name).id;
}

// Every id of a configuration by name ("farm" or "farm/backend"), to see what changed.
std::map<std::string, std::uint32_t> ids_of(const Config& config) {
    std::map<std::string, std::uint32_t> ids;
    for (const Farm& f : config.farms) {
        ids[f.name] = f.id;
        for (const Backend& b : f.backends) ids[f.name + "/" + b.name] = b.id;
    }
    return ids;
}

template <typename Operation>
::testing::AssertionResult refused(Operation operation, std::initializer_list<std::string> parts) {
    return testing::refused_with(operation, parts);
}

// ---- add_farm -------------------------------------------------------------------

TEST(AddFarm, AppendsTheFarmWithId1ToAnEmptyConfig) {
    Config next = add_farm(Config{}, farm("web", 80));
    ASSERT_EQ(next.farms.size(), 1u);
    EXPECT_EQ(next.farms[0].name, "web");
    EXPECT_EQ(next.farms[0].id, 1u);
}

TEST(AddFarm, GivesTheLowestFreeId) {
    Config config = add_farm(add_farm(Config{}, farm("a", 1)), farm("b", 2));
    EXPECT_EQ(farm_id(add_farm(config, farm("c", 3)), "c"), 3u);
}

TEST(AddFarm, GivesItsBackendsTheLowestFreeBackendIds) {
    Config next = add_farm(sample_config(), farm("new", 9000, {backend("n1", "10.0.0.31"), backend("n2", "10.0.0.32")}));
    EXPECT_EQ(backend_id(next, "new", "n1"), 4u);
    EXPECT_EQ(backend_id(next, "new", "n2"), 5u);
}

TEST(AddFarm, IgnoresIdsTheCallerSet) {
    Farm given = farm("web", 80, {backend("web1", "10.0.0.11", 500)});
    given.id = 77;
    Config next = add_farm(Config{}, given);
    EXPECT_EQ(farm_id(next, "web"), 1u);
    EXPECT_EQ(backend_id(next, "web", "web1"), 1u);
}

TEST(AddFarm, DoesNotChangeItsInput) {
    Config config = sample_config();
    Config before = config;
    Config next = add_farm(config, farm("new", 9000));
    EXPECT_EQ(config, before);
    EXPECT_NE(next, before);
}

TEST(AddFarm, KeepsTheOtherFarmsAndTheirIds) {
    Config config = sample_config();
    Config next = add_farm(config, farm("new", 9000, {backend("n1", "10.0.0.31")}));
    auto ids = ids_of(next);
    ids.erase("new");
    ids.erase("new/n1");
    EXPECT_EQ(ids, ids_of(config));
}

TEST(AddFarm, RefusesAnExistingNameAndChangesNothing) {
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { add_farm(config, farm("web", 9999)); }, {"farm 'web'", "already exists"}));
    EXPECT_EQ(config, before);
}

TEST(AddFarm, RefusesAServiceAlreadyServed) {
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { add_farm(config, farm("web-copy", 80)); }, {"farms 'web' and 'web-copy' would both serve port 80/tcp"}));
    EXPECT_EQ(config, before);
}

TEST(AddFarm, RefusesAnInvalidFarm) {
    Farm v6 = farm("v6", 81, {backend("v4-backend", "192.0.2.11")});
    v6.vip = *IpAddress::parse("2001:db8::10");
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { add_farm(config, v6); }, {"farm 'v6'", "IPv6"}));
    EXPECT_EQ(config, before);
}

// ---- replace_farm_settings ------------------------------------------------------

TEST(ReplaceFarmSettings, ChangesTheSettings) {
    Farm settings = farm("web", 8000);
    settings.proto = Protocol::udp;
    settings.snat_addrs = {*IpAddress::parse("192.0.2.1")};
    Farm changed = existing_farm(replace_farm_settings(sample_config(), "web", settings), "web");
    EXPECT_EQ(changed.port, 8000);
    EXPECT_EQ(changed.proto, Protocol::udp);
    EXPECT_EQ(changed.snat_addrs, std::vector<IpAddress>{*IpAddress::parse("192.0.2.1")});
}

TEST(ReplaceFarmSettings, ChangesTheMode) {
    Farm settings = farm("web", 80);
    settings.mode = Mode::dnat;
    EXPECT_EQ(existing_farm(replace_farm_settings(sample_config(), "web", settings), "web").mode, Mode::dnat);
}

TEST(ReplaceFarmSettings, KeepsTheFarmsIdAndBackends) {
    Config config = sample_config();
    Config next = replace_farm_settings(config, "web", farm("web", 8000));
    const Farm& changed = existing_farm(next, "web");
    EXPECT_EQ(changed.id, farm_id(config, "web"));
    EXPECT_EQ(changed.backends, existing_farm(config, "web").backends);
}

TEST(ReplaceFarmSettings, IgnoresTheIdAndBackendsOfTheSettings) {
    Farm settings = farm("web", 8000, {backend("intruder", "10.0.0.99", 42)});
    settings.id = 42;
    Config config = sample_config();
    Farm changed = existing_farm(replace_farm_settings(config, "web", settings), "web");
    EXPECT_EQ(changed.id, farm_id(config, "web"));
    EXPECT_EQ(changed.backends, existing_farm(config, "web").backends);
}

TEST(ReplaceFarmSettings, KeepsTheFarmsPlaceAndTheOtherFarms) {
    Config config = sample_config();
    Config next = replace_farm_settings(config, "web", farm("web", 8000));
    ASSERT_EQ(next.farms.size(), 2u);
    EXPECT_EQ(next.farms[0].name, "web");
    EXPECT_EQ(next.farms[1], config.farms[1]);
}

TEST(ReplaceFarmSettings, DoesNotChangeItsInput) {
    Config config = sample_config();
    Config before = config;
    replace_farm_settings(config, "web", farm("web", 8000));
    EXPECT_EQ(config, before);
}

TEST(ReplaceFarmSettings, RefusesAnUnknownFarm) {
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { replace_farm_settings(config, "nope", farm("nope", 1)); },
                        {"farm 'nope'", "does not exist"}));
    EXPECT_EQ(config, before);
}

TEST(ReplaceFarmSettings, KeepsTheFarmsName) {
    Config next = replace_farm_settings(sample_config(), "web", farm("renamed", 8000));
    EXPECT_EQ(existing_farm(next, "web").port, 8000);
    EXPECT_EQ(next.find_farm("renamed"), nullptr);
}

TEST(ReplaceFarmSettings, RefusesTakingAnotherFarmsService) {
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { replace_farm_settings(config, "web", farm("web", 8080)); }, {"farms 'web' and 'api' would both serve port 8080/tcp"}));
    EXPECT_EQ(config, before);
}

TEST(ReplaceFarmSettings, RefusesAVipThatABackendAlreadyHas) {
    Farm settings = farm("web", 80);
    settings.vip = *IpAddress::parse("10.0.0.11");  // web1's address
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { replace_farm_settings(config, "web", settings); }, {"backend 'web1'", "VIP"}));
    EXPECT_EQ(config, before);
}

// ---- delete_farm ----------------------------------------------------------------

TEST(DeleteFarm, RemovesOnlyThatFarm) {
    Config config = sample_config();
    Config next = delete_farm(config, "web");
    ASSERT_EQ(next.farms.size(), 1u);
    EXPECT_EQ(next.farms[0], config.farms[1]);
}

TEST(DeleteFarm, DoesNotChangeItsInput) {
    Config config = sample_config();
    Config before = config;
    delete_farm(config, "web");
    EXPECT_EQ(config, before);
}

TEST(DeleteFarm, RefusesAnUnknownFarm) {
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { delete_farm(config, "nope"); }, {"farm 'nope'", "does not exist"}));
    EXPECT_EQ(config, before);
}

TEST(DeleteFarm, FreesItsIdsForTheNextFarm) {
    Config config = delete_farm(sample_config(), "web");
    Config next = add_farm(config, farm("new", 9000, {backend("n1", "10.0.0.31"), backend("n2", "10.0.0.32"),
                                                      backend("n3", "10.0.0.33")}));
    EXPECT_EQ(farm_id(next, "new"), 1u);
    EXPECT_EQ(backend_id(next, "new", "n1"), 1u);
    EXPECT_EQ(backend_id(next, "new", "n2"), 2u);
    EXPECT_EQ(backend_id(next, "new", "n3"), 4u);  // 3 is api1's
}

// ---- add_backend ----------------------------------------------------------------

TEST(AddBackend, AppendsTheBackendWithTheLowestFreeId) {
    Config next = add_backend(sample_config(), "web", backend("web3", "10.0.0.13"));
    const Farm& web = existing_farm(next, "web");
    ASSERT_EQ(web.backends.size(), 3u);
    EXPECT_EQ(web.backends[2].name, "web3");
    EXPECT_EQ(web.backends[2].id, 4u);  // backend ids are shared by all farms
}

TEST(AddBackend, KeepsItsSettings) {
    Backend given = backend("web3", "10.0.0.13");
    given.port = 8080;
    given.weight = 7;
    given.priority = 3;
    given.state = AdminState::maint;
    Backend added = existing_backend(existing_farm(add_backend(sample_config(), "web", given), "web"), "web3");
    given.id = added.id;
    EXPECT_EQ(added, given);
}

TEST(AddBackend, IgnoresAnIdTheCallerSet) {
    Config next = add_backend(sample_config(), "web", backend("web3", "10.0.0.13", 1));
    EXPECT_EQ(backend_id(next, "web", "web3"), 4u);
}

TEST(AddBackend, KeepsEveryOtherId) {
    Config config = sample_config();
    auto ids = ids_of(add_backend(config, "api", backend("api2", "10.0.0.22")));
    ids.erase("api/api2");
    EXPECT_EQ(ids, ids_of(config));
}

TEST(AddBackend, DoesNotChangeItsInput) {
    Config config = sample_config();
    Config before = config;
    add_backend(config, "web", backend("web3", "10.0.0.13"));
    EXPECT_EQ(config, before);
}

TEST(AddBackend, RefusesAnUnknownFarm) {
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { add_backend(config, "nope", backend("b", "10.0.0.1")); }, {"farm 'nope'", "does not exist"}));
    EXPECT_EQ(config, before);
}

TEST(AddBackend, RefusesANameTheFarmAlreadyHas) {
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { add_backend(config, "web", backend("web1", "10.0.0.99")); },
                        {"farm 'web'", "already has a backend 'web1'"}));
    EXPECT_EQ(config, before);
}

TEST(AddBackend, AcceptsANameAnotherFarmHas) {
    Config next = add_backend(sample_config(), "api", backend("web1", "10.0.0.11"));
    EXPECT_NE(backend_id(next, "api", "web1"), backend_id(next, "web", "web1"));
}

TEST(AddBackend, RefusesAnInvalidBackend) {
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { add_backend(config, "web", backend("self", "192.0.2.10")); }, {"backend 'self'", "VIP"}));
    EXPECT_EQ(config, before);
}

// ---- replace_backend ------------------------------------------------------------

TEST(ReplaceBackend, ChangesTheSettingsAndKeepsTheId) {
    Config config = sample_config();
    Backend settings = backend("web2", "10.0.0.12", 999);
    settings.weight = 50;
    settings.state = AdminState::drain;
    Backend changed = existing_backend(existing_farm(replace_backend(config, "web", settings), "web"), "web2");
    EXPECT_EQ(changed.id, backend_id(config, "web", "web2"));
    EXPECT_EQ(changed.weight, 50u);
    EXPECT_EQ(changed.state, AdminState::drain);
}

TEST(ReplaceBackend, KeepsTheBackendsPlaceAndTheOthers) {
    Config config = sample_config();
    Backend settings = backend("web1", "10.0.0.11");
    settings.priority = 9;
    Config next = replace_backend(config, "web", settings);
    const Farm& web = existing_farm(next, "web");
    ASSERT_EQ(web.backends.size(), 2u);
    EXPECT_EQ(web.backends[0].name, "web1");
    EXPECT_EQ(web.backends[1], existing_farm(config, "web").backends[1]);
    EXPECT_EQ(ids_of(next), ids_of(config));
}

TEST(ReplaceBackend, DoesNotChangeItsInput) {
    Config config = sample_config();
    Config before = config;
    Backend settings = backend("web1", "10.0.0.11");
    settings.weight = 0;
    replace_backend(config, "web", settings);
    EXPECT_EQ(config, before);
}

TEST(ReplaceBackend, RefusesAnUnknownBackend) {
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { replace_backend(config, "web", backend("api1", "10.0.0.21")); },
                        {"farm 'web'", "has no backend 'api1'"}));
    EXPECT_EQ(config, before);
}

TEST(ReplaceBackend, RefusesAnUnknownFarm) {
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { replace_backend(config, "nope", backend("web1", "10.0.0.11")); },
                        {"farm 'nope'", "does not exist"}));
    EXPECT_EQ(config, before);
}

TEST(ReplaceBackend, RefusesAnInvalidBackend) {
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { replace_backend(config, "web", backend("web1", "192.0.2.10")); }, {"VIP"}));
    EXPECT_EQ(config, before);
}

// ---- delete_backend -------------------------------------------------------------

TEST(DeleteBackend, RemovesOnlyThatBackend) {
    Config config = sample_config();
    Config next = delete_backend(config, "web", "web1");
    const Farm& web = existing_farm(next, "web");
    ASSERT_EQ(web.backends.size(), 1u);
    EXPECT_EQ(web.backends[0], existing_farm(config, "web").backends[1]);
    EXPECT_EQ(existing_farm(next, "api"), existing_farm(config, "api"));
    EXPECT_EQ(web.id, farm_id(config, "web"));
}

TEST(DeleteBackend, DoesNotChangeItsInput) {
    Config config = sample_config();
    Config before = config;
    delete_backend(config, "web", "web1");
    EXPECT_EQ(config, before);
}

TEST(DeleteBackend, RefusesAnUnknownBackend) {
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { delete_backend(config, "web", "web9"); }, {"farm 'web'", "has no backend 'web9'"}));
    EXPECT_EQ(config, before);
}

TEST(DeleteBackend, RefusesAnUnknownFarm) {
    Config config = sample_config();
    Config before = config;
    EXPECT_TRUE(refused([&] { delete_backend(config, "nope", "web1"); }, {"farm 'nope'", "does not exist"}));
    EXPECT_EQ(config, before);
}

TEST(DeleteBackend, FreesItsIdForTheNextBackend) {
    Config config = delete_backend(sample_config(), "web", "web1");
    Config next = add_backend(config, "api", backend("api2", "10.0.0.22"));
    EXPECT_EQ(backend_id(next, "api", "api2"), 1u);
}

// ---- ids across sequences of changes ---------------------------------------------

TEST(Ids, StayStableAcrossUnrelatedChanges) {
    Config config = sample_config();
    auto original = ids_of(config);
    config = add_farm(config, farm("tmp", 9000, {backend("t1", "10.0.0.41")}));
    config = add_backend(config, "web", backend("web3", "10.0.0.13"));
    config = delete_backend(config, "web", "web3");
    config = delete_farm(config, "tmp");
    Backend heavier = backend("api1", "10.0.0.21");
    heavier.weight = 10;
    config = replace_backend(config, "api", heavier);
    config = replace_farm_settings(config, "api", farm("api", 8081));
    EXPECT_EQ(ids_of(config), original);
}

TEST(Ids, ADeletedFarmsIdGoesToTheNextNewFarm) {
    Config config = add_farm(sample_config(), farm("third", 9000));
    config = delete_farm(config, "api");
    config = add_farm(config, farm("fourth", 9001));
    EXPECT_EQ(farm_id(config, "web"), 1u);
    EXPECT_EQ(farm_id(config, "fourth"), 2u);
    EXPECT_EQ(farm_id(config, "third"), 3u);
}

// ---- with_ids_assigned ----------------------------------------------------------

TEST(WithIdsAssigned, FillsOnlyMissingIdsWithTheLowestFree) {
    Farm a = farm("a", 1, {backend("x", "10.0.0.1", 2), backend("y", "10.0.0.2")});
    a.id = 2;
    Farm b = farm("b", 2, {backend("z", "10.0.0.3"), backend("w", "10.0.0.4", 4)});
    Config result = with_ids_assigned(Config{{a, b}});
    EXPECT_EQ(farm_id(result, "a"), 2u);
    EXPECT_EQ(farm_id(result, "b"), 1u);
    EXPECT_EQ(backend_id(result, "a", "x"), 2u);
    EXPECT_EQ(backend_id(result, "a", "y"), 1u);
    EXPECT_EQ(backend_id(result, "b", "z"), 3u);
    EXPECT_EQ(backend_id(result, "b", "w"), 4u);
}

TEST(WithIdsAssigned, FillsEveryGapBeforeGoingPastTheHighestId) {
    Farm a = farm("a", 1, {backend("p", "10.0.0.1"), backend("q", "10.0.0.2", 2), backend("r", "10.0.0.3"),
                           backend("s", "10.0.0.4", 4), backend("t", "10.0.0.5"), backend("u", "10.0.0.6")});
    Config result = with_ids_assigned(Config{{a}});
    std::vector<std::uint32_t> ids;
    for (const Backend& b : existing_farm(result, "a").backends) ids.push_back(b.id);
    EXPECT_EQ(ids, (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 6}));
}

TEST(WithIdsAssigned, ChangesNothingWhenEveryIdIsSet) {
    Config config = sample_config();
    EXPECT_EQ(with_ids_assigned(config), config);
}

TEST(WithIdsAssigned, ValidatesTheResult) {
    Config config{{farm("same", 1), farm("same", 2)}};
    EXPECT_TRUE(refused([&] { with_ids_assigned(config); }, {"farm 'same'", "exists twice"}));
}

// ---- with_ids_from --------------------------------------------------------------

TEST(WithIdsFrom, CarriesFarmAndBackendIdsByName) {
    Config previous = sample_config();
    // The same farms and backends, listed in another order and without ids.
    Config fresh{{farm("api", 8080, {backend("api1", "10.0.0.21")}),
                  farm("web", 80, {backend("web2", "10.0.0.12"), backend("web1", "10.0.0.11")})}};
    EXPECT_EQ(ids_of(with_ids_from(fresh, previous)), ids_of(previous));
}

TEST(WithIdsFrom, KeepsTheSettingsOfTheNewConfig) {
    Config previous = sample_config();
    Config fresh{{farm("web", 8000, {backend("web1", "10.0.0.111")})}};
    Config result = with_ids_from(fresh, previous);
    EXPECT_EQ(existing_farm(result, "web").port, 8000);
    EXPECT_EQ(existing_farm(result, "web").backends.size(), 1u);
    EXPECT_EQ(existing_backend(existing_farm(result, "web"), "web1").ip, IpAddress::parse("10.0.0.111"));
}

TEST(WithIdsFrom, GivesNewNamesTheLowestIdsNotCarried) {
    Config previous = sample_config();  // web 1 (web1 1, web2 2), api 2 (api1 3)
    Config fresh{{farm("new", 9000, {backend("n1", "10.0.0.31")}), farm("api", 8080, {backend("api1", "10.0.0.21")})}};
    Config result = with_ids_from(fresh, previous);
    EXPECT_EQ(farm_id(result, "api"), 2u);
    EXPECT_EQ(backend_id(result, "api", "api1"), 3u);
    EXPECT_EQ(farm_id(result, "new"), 1u);
    EXPECT_EQ(backend_id(result, "new", "n1"), 1u);
}

TEST(WithIdsFrom, DoesNotCarryABackendIdToAnotherFarm) {
    Config previous = sample_config();  // web1 is 1 in web; api has no web1
    Config fresh{{farm("web", 80, {backend("web1", "10.0.0.11"), backend("web2", "10.0.0.12")}),
                  farm("api", 8080, {backend("api1", "10.0.0.21"), backend("web1", "10.0.0.11")})}};
    Config result = with_ids_from(fresh, previous);
    EXPECT_EQ(backend_id(result, "web", "web1"), 1u);
    EXPECT_EQ(backend_id(result, "api", "api1"), 3u);
    EXPECT_EQ(backend_id(result, "api", "web1"), 4u);  // new in api: the lowest free id
}

TEST(WithIdsFrom, SameBackendNameInTwoFarmsKeepsEachItsOwnId) {
    Config previous = add_backend(add_backend(sample_config(), "web", backend("common", "10.0.0.50")), "api",
                                  backend("common", "10.0.0.50"));
    Config fresh{{farm("api", 8080, {backend("common", "10.0.0.50")}), farm("web", 80, {backend("common", "10.0.0.50")})}};
    Config result = with_ids_from(fresh, previous);
    EXPECT_EQ(backend_id(result, "web", "common"), backend_id(previous, "web", "common"));
    EXPECT_EQ(backend_id(result, "api", "common"), backend_id(previous, "api", "common"));
}

TEST(WithIdsFrom, AssignsEverythingFreshWithoutAPreviousConfig) {
    Config fresh{{farm("web", 80, {backend("web1", "10.0.0.11")}), farm("api", 8080, {backend("api1", "10.0.0.21")})}};
    Config result = with_ids_from(fresh, Config{});
    EXPECT_EQ(farm_id(result, "web"), 1u);
    EXPECT_EQ(farm_id(result, "api"), 2u);
    EXPECT_EQ(backend_id(result, "web", "web1"), 1u);
    EXPECT_EQ(backend_id(result, "api", "api1"), 2u);
}

TEST(WithIdsFrom, DoesNotChangeThePreviousConfig) {
    Config previous = sample_config();
    Config before = previous;
    with_ids_from(Config{{farm("web", 80)}}, previous);
    EXPECT_EQ(previous, before);
}

TEST(WithIdsFrom, ValidatesTheResult) {
    Config fresh{{farm("web", 80), farm("web2", 80)}};
    EXPECT_TRUE(refused([&] { with_ids_from(fresh, sample_config()); }, {"would both serve port 80/tcp"}));
}

// ---- lookups --------------------------------------------------------------------

TEST(ExistingFarm, FindsAFarmByName) { EXPECT_EQ(existing_farm(sample_config(), "api").port, 8080); }

TEST(ExistingFarm, SaysWhichFarmDoesNotExist) {
    EXPECT_TRUE(refused([] { existing_farm(sample_config(), "Web"); }, {"farm 'Web' does not exist"}));
}

TEST(ExistingBackend, SaysWhichFarmLacksWhichBackend) {
    Config config = sample_config();
    EXPECT_TRUE(refused([&] { existing_backend(existing_farm(config, "api"), "web1"); },
                        {"farm 'api' has no backend 'web1'"}));
}

}  // namespace
}  // namespace xdplb::model
