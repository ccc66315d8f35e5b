#include "model/config_json.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "model/validation_error.hpp"

namespace xdplb::model {
namespace {

using nlohmann::json;

// ---- helpers -------------------------------------------------------------------

json backend_json() { return {{"name", "web1"}, {"ip", "10.0.0.11"}}; }

json farm_json() { return {{"name", "web"}, {"vip", "192.0.2.10"}, {"port", 443}, {"proto", "tcp"}}; }

json with(json value, const std::string& field, json field_value) {
    value[field] = std::move(field_value);
    return value;
}

json without(json value, const std::string& field) {
    value.erase(field);
    return value;
}

// An integer as JSON built in code holds it (signed) and, when it is not
// negative, as parsed text holds it (unsigned): ranges must hold for both.
std::vector<json> integer_forms(std::int64_t number) {
    std::vector<json> forms = {json(number)};
    if (number >= 0) forms.push_back(json::parse(std::to_string(number)));
    return forms;
}

std::set<std::string> keys_of(const json& value) {
    std::set<std::string> keys;
    for (const auto& [key, unused] : value.items()) keys.insert(key);
    return keys;
}

::testing::AssertionResult mentions(const std::string& message, std::initializer_list<std::string> parts) {
    for (const std::string& part : parts) {
        if (message.find(part) == std::string::npos) {
            return ::testing::AssertionFailure() << "message \"" << message << "\" does not mention \"" << part
                                                 << "\"";
        }
    }
    return ::testing::AssertionSuccess();
}

template <typename Parse>
::testing::AssertionResult refused(Parse parse, const json& input, std::initializer_list<std::string> parts) {
    try {
        parse();
    } catch (const ValidationError& error) {
        return mentions(error.what(), parts) << " (input " << input.dump() << ")";
    }
    return ::testing::AssertionFailure() << "accepted " << input.dump();
}

::testing::AssertionResult backend_refused(const json& value, JsonForm form,
                                           std::initializer_list<std::string> parts) {
    return refused([&] { backend_from_json(value, form); }, value, parts);
}

::testing::AssertionResult farm_refused(const json& value, JsonForm form, std::initializer_list<std::string> parts) {
    return refused([&] { farm_from_json(value, form); }, value, parts);
}

::testing::AssertionResult config_refused(const json& value, JsonForm form,
                                          std::initializer_list<std::string> parts) {
    return refused([&] { config_from_json(value, form); }, value, parts);
}

Backend sample_backend(std::uint32_t id, const std::string& name, const char* ip) {
    Backend backend;
    backend.id = id;
    backend.name = name;
    backend.ip = *IpAddress::parse(ip);
    return backend;
}

// A farm with every field away from its default, and backends that differ too.
Farm sample_farm() {
    Farm farm;
    farm.id = 7;
    farm.name = "api";
    farm.vip = *IpAddress::parse("192.0.2.20");
    farm.port = 8080;
    farm.proto = Protocol::udp;
    farm.mode = Mode::dnat;
    farm.scheduler = Scheduler::hash;
    farm.hash_key = HashKey::srcip_srcport;
    farm.persistence = Persistence::srcip;
    farm.persist_ttl_s = 600;
    farm.snat_addrs = {*IpAddress::parse("192.0.2.1")};
    farm.allow = {IpPrefix::parse("198.18.0.0/15"), IpPrefix::parse("192.0.2.99")};
    farm.deny = {IpPrefix::parse("198.18.7.0/24")};
    farm.rate_limit = 50;
    farm.rate_burst = 20;
    farm.timeouts.tcp = 600;
    farm.timeouts.unanswered = 5;
    Backend first = sample_backend(3, "api1", "10.0.1.1");
    first.max_connections = 50;
    first.port = 9090;
    first.weight = 250;
    first.priority = 2;
    first.state = AdminState::drain;
    Backend second = sample_backend(4, "api2", "10.0.1.2");
    second.weight = 0;
    second.state = AdminState::maint;
    farm.backends = {first, second};
    return farm;
}

// ---- enum names ------------------------------------------------------------------

TEST(EnumNames, RoundTripEveryValue) {
    for (Protocol value : {Protocol::tcp, Protocol::udp}) EXPECT_EQ(protocol_from_string(to_string(value)), value);
    for (Mode value : {Mode::snat, Mode::dnat, Mode::dsr}) EXPECT_EQ(mode_from_string(to_string(value)), value);
    for (Scheduler value : {Scheduler::weight, Scheduler::rr, Scheduler::hash}) {
        EXPECT_EQ(scheduler_from_string(to_string(value)), value);
    }
    for (HashKey value : {HashKey::srcip, HashKey::srcip_srcport, HashKey::five_tuple}) {
        EXPECT_EQ(hash_key_from_string(to_string(value)), value);
    }
    for (Persistence value : {Persistence::none, Persistence::srcip}) {
        EXPECT_EQ(persistence_from_string(to_string(value)), value);
    }
    for (AdminState value : {AdminState::up, AdminState::drain, AdminState::maint}) {
        EXPECT_EQ(admin_state_from_string(to_string(value)), value);
    }
}

TEST(EnumNames, AreTheDocumentedWords) {
    EXPECT_EQ(to_string(Protocol::tcp), "tcp");
    EXPECT_EQ(to_string(Protocol::udp), "udp");
    EXPECT_EQ(to_string(Mode::snat), "snat");
    EXPECT_EQ(to_string(Mode::dnat), "dnat");
    EXPECT_EQ(to_string(Mode::dsr), "dsr");
    EXPECT_EQ(to_string(Scheduler::weight), "weight");
    EXPECT_EQ(to_string(Scheduler::rr), "rr");
    EXPECT_EQ(to_string(Scheduler::hash), "hash");
    EXPECT_EQ(to_string(HashKey::srcip), "srcip");
    EXPECT_EQ(to_string(HashKey::srcip_srcport), "srcip-srcport");
    EXPECT_EQ(to_string(HashKey::five_tuple), "5tuple");
    EXPECT_EQ(to_string(Persistence::none), "none");
    EXPECT_EQ(to_string(Persistence::srcip), "srcip");
    EXPECT_EQ(to_string(AdminState::up), "up");
    EXPECT_EQ(to_string(AdminState::drain), "drain");
    EXPECT_EQ(to_string(AdminState::maint), "maint");
}

TEST(EnumNames, RefuseUnknownAndDifferentlyCasedWords) {
    EXPECT_FALSE(protocol_from_string("TCP").has_value());
    EXPECT_FALSE(protocol_from_string("sctp").has_value());
    EXPECT_FALSE(mode_from_string("").has_value());
    EXPECT_FALSE(scheduler_from_string("roundrobin").has_value());
    EXPECT_FALSE(hash_key_from_string("dstip").has_value());
    EXPECT_FALSE(persistence_from_string("cookie").has_value());
    EXPECT_FALSE(admin_state_from_string("down").has_value());
}

// ---- backend: defaults and fields ---------------------------------------------

TEST(BackendFromJson, MinimalBackendTakesTheDefaults) {
    Backend backend = backend_from_json(backend_json(), kApiForm);
    EXPECT_EQ(backend.name, "web1");
    EXPECT_EQ(backend.ip, IpAddress::parse("10.0.0.11"));
    EXPECT_FALSE(backend.port.has_value());
    EXPECT_EQ(backend.weight, 1u);
    EXPECT_EQ(backend.priority, 1u);
    EXPECT_EQ(backend.state, AdminState::up);
    EXPECT_EQ(backend.id, 0u);
}

TEST(BackendFromJson, ReadsEveryField) {
    json value = {{"name", "web2"}, {"ip", "10.0.0.12"}, {"port", 8443},
                  {"weight", 300},  {"priority", 5},     {"state", "drain"}};
    Backend backend = backend_from_json(value, kApiForm);
    EXPECT_EQ(backend.name, "web2");
    EXPECT_EQ(backend.ip, IpAddress::parse("10.0.0.12"));
    EXPECT_EQ(backend.port, 8443);
    EXPECT_EQ(backend.weight, 300u);
    EXPECT_EQ(backend.priority, 5u);
    EXPECT_EQ(backend.state, AdminState::drain);
}

TEST(BackendFromJson, NullPortKeepsTheClientsPort) {
    Backend backend = backend_from_json(with(backend_json(), "port", nullptr), kApiForm);
    EXPECT_FALSE(backend.port.has_value());
}

TEST(BackendFromJson, NullOptionalFieldsTakeTheirDefaults) {
    json value = backend_json();
    value["weight"] = nullptr;
    value["priority"] = nullptr;
    value["state"] = nullptr;
    Backend backend = backend_from_json(value, kApiForm);
    EXPECT_EQ(backend.weight, 1u);
    EXPECT_EQ(backend.priority, 1u);
    EXPECT_EQ(backend.state, AdminState::up);
}

TEST(BackendFromJson, AcceptsEveryAdminState) {
    EXPECT_EQ(backend_from_json(with(backend_json(), "state", "up"), kApiForm).state, AdminState::up);
    EXPECT_EQ(backend_from_json(with(backend_json(), "state", "drain"), kApiForm).state, AdminState::drain);
    EXPECT_EQ(backend_from_json(with(backend_json(), "state", "maint"), kApiForm).state, AdminState::maint);
}

// ---- backend: required fields ---------------------------------------------------

TEST(BackendFromJson, RefusesAMissingName) {
    EXPECT_TRUE(backend_refused(without(backend_json(), "name"), kApiForm, {"backend", "'name'", "required"}));
}

TEST(BackendFromJson, RefusesANullName) {
    EXPECT_TRUE(backend_refused(with(backend_json(), "name", nullptr), kApiForm, {"'name'", "required"}));
}

TEST(BackendFromJson, RefusesANameThatIsNotAString) {
    EXPECT_TRUE(backend_refused(with(backend_json(), "name", 5), kApiForm, {"backend", "'name'", "string"}));
}

TEST(BackendFromJson, RefusesAMissingAddress) {
    EXPECT_TRUE(backend_refused(without(backend_json(), "ip"), kApiForm, {"backend 'web1'", "'ip'", "required"}));
}

TEST(BackendFromJson, RefusesAnAddressThatDoesNotParse) {
    EXPECT_TRUE(backend_refused(with(backend_json(), "ip", "10.1"), kApiForm,
                                {"backend 'web1'", "'ip'", "'10.1' is not an IP address"}));
    EXPECT_TRUE(backend_refused(with(backend_json(), "ip", "web1.example"), kApiForm, {"backend 'web1'", "'ip'"}));
}

TEST(BackendFromJson, RefusesAnAddressThatIsNotAString) {
    EXPECT_TRUE(
        backend_refused(with(backend_json(), "ip", 167772161), kApiForm, {"backend 'web1'", "'ip'", "string"}));
}

// ---- backend: port --------------------------------------------------------------

TEST(BackendFromJson, AcceptsThePortBounds) {
    EXPECT_EQ(backend_from_json(with(backend_json(), "port", 1), kApiForm).port, 1);
    EXPECT_EQ(backend_from_json(with(backend_json(), "port", 65535), kApiForm).port, 65535);
}

TEST(BackendFromJson, RefusesPortZero) {
    for (const json& port : integer_forms(0)) {
        EXPECT_TRUE(backend_refused(with(backend_json(), "port", port), kApiForm,
                                    {"backend 'web1'", "'port'", "from 1 to 65535", "got 0"}));
    }
}

TEST(BackendFromJson, RefusesPort65536) {
    for (const json& port : integer_forms(65536)) {
        EXPECT_TRUE(backend_refused(with(backend_json(), "port", port), kApiForm,
                                    {"backend 'web1'", "'port'", "from 1 to 65535", "got 65536"}));
    }
}

TEST(BackendFromJson, RefusesANegativePort) {
    EXPECT_TRUE(backend_refused(with(backend_json(), "port", -80), kApiForm, {"backend 'web1'", "'port'", "-80"}));
}

TEST(BackendFromJson, RefusesAPortThatIsNotAnInteger) {
    for (const json& port : {json("80"), json(80.0), json(80.5), json(true), json::array({80}), json::object()}) {
        EXPECT_TRUE(backend_refused(with(backend_json(), "port", port), kApiForm,
                                    {"backend 'web1'", "'port'", "must be an integer"}));
    }
}

// ---- backend: weight ------------------------------------------------------------

TEST(BackendFromJson, AcceptsTheWeightBounds) {
    EXPECT_EQ(backend_from_json(with(backend_json(), "weight", 0), kApiForm).weight, 0u);
    EXPECT_EQ(backend_from_json(with(backend_json(), "weight", 1000000), kApiForm).weight, 1000000u);
}

TEST(BackendFromJson, RefusesANegativeWeight) {
    EXPECT_TRUE(backend_refused(with(backend_json(), "weight", -1), kApiForm,
                                {"backend 'web1'", "'weight'", "from 0 to 1000000", "got -1"}));
}

TEST(BackendFromJson, RefusesWeightAboveOneMillion) {
    for (const json& weight : integer_forms(1000001)) {
        EXPECT_TRUE(backend_refused(with(backend_json(), "weight", weight), kApiForm,
                                    {"backend 'web1'", "'weight'", "from 0 to 1000000", "got 1000001"}));
    }
}

TEST(BackendFromJson, RefusesAWeightThatWouldWrapAroundThirtyTwoBits) {
    for (const json& weight : integer_forms(4294967297LL)) {
        EXPECT_TRUE(backend_refused(with(backend_json(), "weight", weight), kApiForm, {"'weight'"}));
    }
}

TEST(BackendFromJson, RefusesAWeightThatIsNotAnInteger) {
    for (const json& weight : {json("10"), json(1.5), json(false)}) {
        EXPECT_TRUE(backend_refused(with(backend_json(), "weight", weight), kApiForm,
                                    {"backend 'web1'", "'weight'", "must be an integer"}));
    }
}

// ---- backend: priority ----------------------------------------------------------

TEST(BackendFromJson, AcceptsThePriorityBounds) {
    EXPECT_EQ(backend_from_json(with(backend_json(), "priority", 1), kApiForm).priority, 1u);
    EXPECT_EQ(backend_from_json(with(backend_json(), "priority", 1000), kApiForm).priority, 1000u);
}

TEST(BackendFromJson, RefusesPriorityZero) {
    for (const json& priority : integer_forms(0)) {
        EXPECT_TRUE(backend_refused(with(backend_json(), "priority", priority), kApiForm,
                                    {"backend 'web1'", "'priority'", "from 1 to 1000", "got 0"}));
    }
}

TEST(BackendFromJson, RefusesPriorityAbove1000) {
    for (const json& priority : integer_forms(1001)) {
        EXPECT_TRUE(backend_refused(with(backend_json(), "priority", priority), kApiForm,
                                    {"backend 'web1'", "'priority'", "got 1001"}));
    }
}

TEST(BackendFromJson, RefusesAPriorityThatIsNotAnInteger) {
    for (const json& priority : {json("1"), json(1.0), json(true)}) {
        EXPECT_TRUE(backend_refused(with(backend_json(), "priority", priority), kApiForm,
                                    {"backend 'web1'", "'priority'", "must be an integer"}));
    }
}

// ---- backend: state -------------------------------------------------------------

TEST(BackendFromJson, AcceptsTheMaxconnBounds) {
    EXPECT_EQ(backend_from_json(with(backend_json(), "maxconn", 0), kApiForm).max_connections, 0u);
    EXPECT_EQ(backend_from_json(with(backend_json(), "maxconn", 100000000), kApiForm).max_connections, 100000000u);
    EXPECT_EQ(backend_from_json(backend_json(), kApiForm).max_connections, 0u);
}

TEST(BackendFromJson, RefusesAMaxconnOutOfRange) {
    for (json maxconn : {json(-1), json(100000001), json(1.5), json("10")}) {
        EXPECT_TRUE(backend_refused(with(backend_json(), "maxconn", maxconn), kApiForm,
                                    {"'maxconn'", "from 0 to 100000000"}))
            << maxconn;
    }
}

TEST(BackendFromJson, RefusesAnUnknownState) {
    EXPECT_TRUE(backend_refused(with(backend_json(), "state", "down"), kApiForm,
                                {"backend 'web1'", "'state'", "up, drain, maint", "got 'down'"}));
    EXPECT_TRUE(backend_refused(with(backend_json(), "state", "UP"), kApiForm, {"'state'", "got 'UP'"}));
}

TEST(BackendFromJson, RefusesAStateThatIsNotAString) {
    EXPECT_TRUE(backend_refused(with(backend_json(), "state", 1), kApiForm, {"backend 'web1'", "'state'", "string"}));
}

// ---- backend: unknown fields and forms -----------------------------------------

TEST(BackendFromJson, RefusesAnUnknownField) {
    EXPECT_TRUE(backend_refused(with(backend_json(), "wieght", 5), kApiForm,
                                {"backend 'web1'", "unknown field 'wieght'"}));
}

TEST(BackendFromJson, RefusesOutputOnlyHealth) {
    EXPECT_TRUE(backend_refused(with(backend_json(), "health", "unknown"), kApiForm, {"unknown field 'health'"}));
}

TEST(BackendFromJson, RefusesAnIdInTheApiAndConfigForms) {
    EXPECT_TRUE(backend_refused(with(backend_json(), "id", 3), kApiForm, {"backend 'web1'", "unknown field 'id'"}));
    EXPECT_TRUE(
        backend_refused(with(backend_json(), "id", 3), kConfigForm, {"backend 'web1'", "unknown field 'id'"}));
}

TEST(BackendFromJson, ReadsTheIdInTheStateForm) {
    EXPECT_EQ(backend_from_json(with(backend_json(), "id", 3), kStateForm).id, 3u);
}

TEST(BackendFromJson, RequiresAnIdInTheStateForm) {
    EXPECT_TRUE(backend_refused(backend_json(), kStateForm, {"backend 'web1'", "'id'", "required"}));
}

TEST(BackendFromJson, RefusesIdZeroInTheStateForm) {
    EXPECT_TRUE(backend_refused(with(backend_json(), "id", 0), kStateForm, {"backend 'web1'", "'id'", "got 0"}));
}

TEST(BackendFromJson, RefusesAnIdAboveThirtyTwoBitsInTheStateForm) {
    for (const json& id : integer_forms(4294967296LL)) {
        EXPECT_TRUE(backend_refused(with(backend_json(), "id", id), kStateForm, {"backend 'web1'", "'id'"}));
    }
}

TEST(BackendFromJson, RefusesSomethingOtherThanAnObject) {
    for (const json& value : {json::array({backend_json()}), json("web1"), json(nullptr), json(1)}) {
        EXPECT_TRUE(backend_refused(value, kApiForm, {"backend", "must be a JSON object"}));
    }
}

// ---- farm: defaults and fields --------------------------------------------------

TEST(FarmFromJson, MinimalFarmTakesTheDefaults) {
    Farm farm = farm_from_json(farm_json(), kApiForm);
    EXPECT_EQ(farm.name, "web");
    EXPECT_EQ(farm.vip, IpAddress::parse("192.0.2.10"));
    EXPECT_EQ(farm.port, 443);
    EXPECT_EQ(farm.proto, Protocol::tcp);
    EXPECT_EQ(farm.mode, Mode::snat);
    EXPECT_EQ(farm.scheduler, Scheduler::weight);
    EXPECT_TRUE(farm.snat_addrs.empty());
    EXPECT_TRUE(farm.backends.empty());
    EXPECT_EQ(farm.id, 0u);
}

TEST(FarmFromJson, ReadsEveryField) {
    json value = {{"name", "dns"}, {"vip", "192.0.2.53"}, {"port", 53}, {"proto", "udp"},
                  {"mode", "dnat"}, {"scheduler", "weight"}, {"snat_addr", "192.0.2.1"}};
    Farm farm = farm_from_json(value, kApiForm);
    EXPECT_EQ(farm.name, "dns");
    EXPECT_EQ(farm.vip, IpAddress::parse("192.0.2.53"));
    EXPECT_EQ(farm.port, 53);
    EXPECT_EQ(farm.proto, Protocol::udp);
    EXPECT_EQ(farm.mode, Mode::dnat);
    EXPECT_EQ(farm.scheduler, Scheduler::weight);
    EXPECT_EQ(farm.snat_addrs, std::vector<IpAddress>{*IpAddress::parse("192.0.2.1")});
}

TEST(FarmFromJson, NullSnatAddressMeansTheEgressAddress) {
    EXPECT_TRUE(farm_from_json(with(farm_json(), "snat_addr", nullptr), kApiForm).snat_addrs.empty());
}

TEST(FarmFromJson, ReadsTheSchedulerAndPersistenceFields) {
    json value = farm_json();
    value["scheduler"] = "hash";
    value["hash_key"] = "5tuple";
    value["persistence"] = "srcip";
    value["persist_ttl"] = 86400;
    Farm farm = farm_from_json(value, kApiForm);
    EXPECT_EQ(farm.scheduler, Scheduler::hash);
    EXPECT_EQ(farm.hash_key, HashKey::five_tuple);
    EXPECT_EQ(farm.persistence, Persistence::srcip);
    EXPECT_EQ(farm.persist_ttl_s, 86400u);
    EXPECT_EQ(farm_from_json(with(farm_json(), "scheduler", "rr"), kApiForm).scheduler, Scheduler::rr);
}

TEST(FarmFromJson, SchedulerAndPersistenceDefaults) {
    Farm farm = farm_from_json(farm_json(), kApiForm);
    EXPECT_FALSE(farm.hash_key.has_value());
    EXPECT_EQ(farm.persistence, Persistence::none);
    EXPECT_EQ(farm.persist_ttl_s, 300u);
    EXPECT_FALSE(farm_from_json(with(farm_json(), "hash_key", nullptr), kApiForm).hash_key.has_value());
}

TEST(FarmFromJson, RefusesAnUnknownHashKeyOrPersistence) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "hash_key", "dstip"), kApiForm,
                             {"farm 'web'", "'hash_key'", "srcip, srcip-srcport, 5tuple", "got 'dstip'"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "persistence", "cookie"), kApiForm,
                             {"farm 'web'", "'persistence'", "got 'cookie'"}));
}

TEST(FarmFromJson, RefusesAPersistTtlOutsideOneSecondToOneDay) {
    for (json ttl : {json(0), json(86401), json(-1), json("300")}) {
        EXPECT_TRUE(farm_refused(with(farm_json(), "persist_ttl", ttl), kApiForm,
                                 {"farm 'web'", "'persist_ttl'", "from 1 to 86400"}))
            << ttl;
    }
    EXPECT_EQ(farm_from_json(with(farm_json(), "persist_ttl", 1), kApiForm).persist_ttl_s, 1u);
}

TEST(FarmFromJson, NullModeAndSchedulerTakeTheirDefaults) {
    json value = farm_json();
    value["mode"] = nullptr;
    value["scheduler"] = nullptr;
    Farm farm = farm_from_json(value, kApiForm);
    EXPECT_EQ(farm.mode, Mode::snat);
    EXPECT_EQ(farm.scheduler, Scheduler::weight);
}

// ---- farm: required fields ------------------------------------------------------

TEST(FarmFromJson, RequiresNameVipPortAndProto) {
    for (const char* field : {"vip", "port", "proto"}) {
        EXPECT_TRUE(farm_refused(without(farm_json(), field), kApiForm,
                                 {"farm 'web'", "'" + std::string(field) + "'", "required"}));
    }
    EXPECT_TRUE(farm_refused(without(farm_json(), "name"), kApiForm, {"farm", "'name'", "required"}));
}

TEST(FarmFromJson, TreatsNullRequiredFieldsAsMissing) {
    for (const char* field : {"vip", "port", "proto"}) {
        EXPECT_TRUE(farm_refused(with(farm_json(), field, nullptr), kApiForm,
                                 {"farm 'web'", "'" + std::string(field) + "'", "required"}));
    }
}

TEST(FarmFromJson, RefusesANameThatIsNotAString) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "name", json::array({"web"})), kApiForm, {"farm", "'name'", "string"}));
}

// ---- farm: addresses ------------------------------------------------------------

TEST(FarmFromJson, RefusesAVipThatDoesNotParse) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "vip", "192.0.2.256"), kApiForm,
                             {"farm 'web'", "'vip'", "'192.0.2.256' is not an IP address"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "vip", " 192.0.2.10"), kApiForm, {"farm 'web'", "'vip'"}));
}

TEST(FarmFromJson, RefusesAVipThatIsNotAString) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "vip", 3221225994), kApiForm, {"farm 'web'", "'vip'", "string"}));
}

TEST(FarmFromJson, RefusesASnatAddressThatDoesNotParse) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "snat_addr", "egress"), kApiForm,
                             {"farm 'web'", "'snat_addr'", "'egress' is not an IP address"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "snat_addr", ""), kApiForm, {"farm 'web'", "'snat_addr'"}));
}

TEST(FarmFromJson, RefusesASnatAddressThatIsNotAString) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "snat_addr", false), kApiForm, {"farm 'web'", "'snat_addr'", "address"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "snat_addr", nlohmann::json::array({1})), kApiForm,
                             {"farm 'web'", "'snat_addr'", "strings"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "snat_addr", nlohmann::json::array()), kApiForm,
                             {"farm 'web'", "'snat_addr'", "at least one"}));
}

TEST(FarmFromJson, ReadsASnatPoolAsAnArrayOrACommaSeparatedList) {
    std::vector<IpAddress> pool = {*IpAddress::parse("192.0.2.1"), *IpAddress::parse("192.0.2.2")};
    EXPECT_EQ(farm_from_json(with(farm_json(), "snat_addr", "192.0.2.1,192.0.2.2"), kApiForm).snat_addrs, pool);
    EXPECT_EQ(farm_from_json(with(farm_json(), "snat_addr", nlohmann::json::array({"192.0.2.1", "192.0.2.2"})),
                             kApiForm)
                  .snat_addrs,
              pool);
    EXPECT_TRUE(farm_refused(with(farm_json(), "snat_addr", "192.0.2.1,,192.0.2.2"), kApiForm,
                             {"'snat_addr'", "'' is not an IP address"}));
}

// ---- farm: protection and timeouts ----------------------------------------------

TEST(FarmFromJson, WithoutProtectionOrTimeoutsTakesTheDefaults) {
    Farm farm = farm_from_json(farm_json(), kApiForm);
    EXPECT_TRUE(farm.allow.empty());
    EXPECT_TRUE(farm.deny.empty());
    EXPECT_EQ(farm.rate_limit, 0u);
    EXPECT_EQ(farm.rate_burst, 0u);
    EXPECT_EQ(farm.timeouts, FarmTimeouts{});
}

TEST(FarmFromJson, ReadsSourceListsAsArraysOrCommaSeparatedLists) {
    std::vector<IpPrefix> expected = {IpPrefix::parse("198.18.0.0/15"), IpPrefix::parse("192.0.2.7/32")};
    EXPECT_EQ(farm_from_json(with(farm_json(), "allow", "198.18.0.0/15,192.0.2.7"), kApiForm).allow, expected);
    EXPECT_EQ(farm_from_json(with(farm_json(), "deny", json::array({"198.18.0.0/15", "192.0.2.7/32"})), kApiForm).deny,
              expected);
}

TEST(FarmFromJson, EmptySourceListsAreNone) {
    EXPECT_TRUE(farm_from_json(with(farm_json(), "allow", ""), kApiForm).allow.empty());
    EXPECT_TRUE(farm_from_json(with(farm_json(), "deny", json::array()), kApiForm).deny.empty());
}

TEST(FarmFromJson, RefusesBadPrefixes) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "allow", "198.18.0.1/15"), kApiForm,
                             {"farm 'web'", "'allow'", "host bits set", "198.18.0.0/15"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "deny", "198.18.0.0/33"), kApiForm,
                             {"'deny'", "prefix length from 0 to 32"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "allow", "198.18.0.0/15,"), kApiForm, {"'allow'", "'' is not an address"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "allow", json::array({7})), kApiForm, {"'allow'", "strings"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "deny", 7), kApiForm, {"'deny'", "ADDR/LEN"}));
}

TEST(FarmFromJson, ReadsTheRateLimitWithinItsBounds) {
    Farm farm = farm_from_json(with(with(farm_json(), "rate_limit", 1000000), "rate_burst", 0), kApiForm);
    EXPECT_EQ(farm.rate_limit, 1000000u);
    EXPECT_EQ(farm.rate_burst, 0u);
    EXPECT_TRUE(farm_refused(with(farm_json(), "rate_limit", 1000001), kApiForm, {"'rate_limit'", "0 to 1000000"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "rate_burst", -1), kApiForm, {"'rate_burst'", "0 to 1000000"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "rate_limit", "5"), kApiForm, {"'rate_limit'", "integer"}));
}

TEST(FarmFromJson, ReadsEachTimeoutWithinItsBoundsAndNullAsLbdsDefault) {
    Farm farm = farm_from_json(with(with(with(farm_json(), "timeout_udp", 1), "timeout_tcp_close", 2592000),
                                    "timeout_tcp", nullptr),
                               kApiForm);
    EXPECT_EQ(farm.timeouts.udp, 1u);
    EXPECT_EQ(farm.timeouts.tcp_close, 2592000u);
    EXPECT_FALSE(farm.timeouts.tcp.has_value());
    for (const char* field : {"timeout_unanswered", "timeout_tcp", "timeout_tcp_time_wait", "timeout_tcp_close",
                              "timeout_udp"}) {
        EXPECT_TRUE(farm_refused(with(farm_json(), field, 0), kApiForm, {field, "1 to 2592000"}));
        EXPECT_TRUE(farm_refused(with(farm_json(), field, 2592001), kApiForm, {field, "1 to 2592000"}));
    }
}

TEST(FarmToJson, WritesProtectionAndTimeouts) {
    json value = farm_to_json(sample_farm(), kApiForm);
    EXPECT_EQ(value["allow"], json::array({"198.18.0.0/15", "192.0.2.99/32"}));
    EXPECT_EQ(value["deny"], json::array({"198.18.7.0/24"}));
    EXPECT_EQ(value["rate_limit"], 50);
    EXPECT_EQ(value["rate_burst"], 20);
    EXPECT_EQ(value["timeout_tcp"], 600);
    EXPECT_EQ(value["timeout_unanswered"], 5);
    EXPECT_TRUE(value["timeout_udp"].is_null());
    EXPECT_EQ(farm_to_json(Farm{}, kApiForm)["allow"], json::array());
}

// ---- farm: port -----------------------------------------------------------------

TEST(FarmFromJson, AcceptsThePortBounds) {
    EXPECT_EQ(farm_from_json(with(farm_json(), "port", 1), kApiForm).port, 1);
    EXPECT_EQ(farm_from_json(with(farm_json(), "port", 65535), kApiForm).port, 65535);
}

TEST(FarmFromJson, RefusesPortZero) {
    for (const json& port : integer_forms(0)) {
        EXPECT_TRUE(farm_refused(with(farm_json(), "port", port), kApiForm,
                                 {"farm 'web'", "'port'", "from 1 to 65535", "got 0"}));
    }
}

TEST(FarmFromJson, RefusesPort65536) {
    for (const json& port : integer_forms(65536)) {
        EXPECT_TRUE(farm_refused(with(farm_json(), "port", port), kApiForm,
                                 {"farm 'web'", "'port'", "from 1 to 65535", "got 65536"}));
    }
}

TEST(FarmFromJson, RefusesANegativePort) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "port", -1), kApiForm, {"farm 'web'", "'port'", "got -1"}));
}

TEST(FarmFromJson, RefusesAPortThatIsNeitherANumberNorAString) {
    for (const json& port : {json(443.0), json(true), json::array({443}), json::object()}) {
        EXPECT_TRUE(farm_refused(with(farm_json(), "port", port), kApiForm,
                                 {"farm 'web'", "'port'", "must be a port number or a string"}));
    }
}

TEST(FarmFromJson, ReadsAPortListFromAString) {
    Farm farm = farm_from_json(with(farm_json(), "port", "8000-8100,443,80"), kApiForm);
    EXPECT_EQ(farm.port, PortSet::of_ranges({{80, 80}, {443, 443}, {8000, 8100}}));
    EXPECT_EQ(farm_from_json(with(farm_json(), "port", "443"), kApiForm).port, 443);
}

TEST(FarmFromJson, RefusesABadPortList) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "port", "80,,81"), kApiForm,
                             {"farm 'web'", "'port'", "'80,,81' is not a port list", "empty item"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "port", "90-80"), kApiForm, {"'port'", "range 90-80 ends before it starts"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "port", "0"), kApiForm, {"'port'", "port 0 is out of range 1-65535"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "port", ""), kApiForm, {"'port'", "it is empty"}));
}

TEST(FarmToJson, WritesOnePortAsANumberAndSeveralAsAString) {
    Farm farm = sample_farm();
    EXPECT_EQ(farm_to_json(farm, kApiForm)["port"], 8080);
    farm.port = PortSet::parse("80,443,8000-8100");
    EXPECT_EQ(farm_to_json(farm, kApiForm)["port"], "80,443,8000-8100");
}

// ---- farm: choices --------------------------------------------------------------

TEST(FarmFromJson, RefusesAnUnknownProtocol) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "proto", "sctp"), kApiForm,
                             {"farm 'web'", "'proto'", "tcp, udp", "got 'sctp'"}));
    EXPECT_TRUE(farm_refused(with(farm_json(), "proto", "TCP"), kApiForm, {"'proto'", "got 'TCP'"}));
}

TEST(FarmFromJson, RefusesAProtocolNumber) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "proto", 6), kApiForm, {"farm 'web'", "'proto'", "string"}));
}

TEST(FarmFromJson, RefusesAnUnknownMode) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "mode", "tun"), kApiForm,
                             {"farm 'web'", "'mode'", "snat, dnat, dsr", "got 'tun'"}));
}

TEST(FarmFromJson, ReadsDsrMode) {
    EXPECT_EQ(farm_from_json(with(farm_json(), "mode", "dsr"), kApiForm).mode, Mode::dsr);
}

TEST(FarmFromJson, RefusesAnUnknownScheduler) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "scheduler", "roundrobin"), kApiForm,
                             {"farm 'web'", "'scheduler'", "got 'roundrobin'"}));
}

// ---- farm: unknown fields and forms --------------------------------------------

TEST(FarmFromJson, RefusesAnUnknownField) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "protocol", "tcp"), kApiForm, {"farm 'web'", "unknown field 'protocol'"}));
}

TEST(FarmFromJson, RefusesAnIdInTheApiForm) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "id", 1), kApiForm, {"farm 'web'", "unknown field 'id'"}));
}

TEST(FarmFromJson, RefusesBackendsInTheApiForm) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "backends", json::array()), kApiForm,
                             {"farm 'web'", "unknown field 'backends'"}));
}

TEST(FarmFromJson, ReadsBackendsInTheConfigForm) {
    json value = with(farm_json(), "backends", {backend_json(), {{"name", "web2"}, {"ip", "10.0.0.12"}}});
    Farm farm = farm_from_json(value, kConfigForm);
    ASSERT_EQ(farm.backends.size(), 2u);
    EXPECT_EQ(farm.backends[0].name, "web1");
    EXPECT_EQ(farm.backends[1].name, "web2");
    EXPECT_EQ(farm.backends[1].weight, 1u);
}

TEST(FarmFromJson, ConfigFormFarmMayOmitItsBackends) {
    EXPECT_TRUE(farm_from_json(farm_json(), kConfigForm).backends.empty());
    EXPECT_TRUE(farm_from_json(with(farm_json(), "backends", nullptr), kConfigForm).backends.empty());
}

TEST(FarmFromJson, RefusesAnIdInTheConfigForm) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "id", 1), kConfigForm, {"farm 'web'", "unknown field 'id'"}));
}

TEST(FarmFromJson, RefusesBackendsThatAreNotAnArray) {
    EXPECT_TRUE(farm_refused(with(farm_json(), "backends", backend_json()), kConfigForm,
                             {"farm 'web'", "'backends'", "must be an array"}));
}

TEST(FarmFromJson, NamesTheFarmTheBackendAndTheFieldOfABadBackend) {
    json value = with(farm_json(), "backends", {with(backend_json(), "weight", 1000001)});
    EXPECT_TRUE(farm_refused(value, kConfigForm, {"farm 'web'", "backend 'web1'", "'weight'", "got 1000001"}));
}

TEST(FarmFromJson, RefusesABackendIdInTheConfigForm) {
    json value = with(farm_json(), "backends", {with(backend_json(), "id", 1)});
    EXPECT_TRUE(farm_refused(value, kConfigForm, {"farm 'web'", "backend 'web1'", "unknown field 'id'"}));
}

TEST(FarmFromJson, ReadsTheIdsOfFarmAndBackendsInTheStateForm) {
    json value = with(with(farm_json(), "id", 4), "backends", {with(backend_json(), "id", 9)});
    Farm farm = farm_from_json(value, kStateForm);
    EXPECT_EQ(farm.id, 4u);
    ASSERT_EQ(farm.backends.size(), 1u);
    EXPECT_EQ(farm.backends[0].id, 9u);
}

TEST(FarmFromJson, RequiresAnIdInTheStateForm) {
    EXPECT_TRUE(farm_refused(farm_json(), kStateForm, {"farm 'web'", "'id'", "required"}));
}

TEST(FarmFromJson, RequiresBackendIdsInTheStateForm) {
    json value = with(with(farm_json(), "id", 4), "backends", {backend_json()});
    EXPECT_TRUE(farm_refused(value, kStateForm, {"farm 'web'", "backend 'web1'", "'id'", "required"}));
}

TEST(FarmFromJson, RefusesSomethingOtherThanAnObject) {
    EXPECT_TRUE(farm_refused(json("web"), kApiForm, {"farm", "must be a JSON object"}));
    EXPECT_TRUE(farm_refused(json::array(), kApiForm, {"farm", "must be a JSON object"}));
}

// ---- configuration --------------------------------------------------------------

TEST(ConfigFromJson, EmptyObjectIsAConfigWithoutFarms) {
    EXPECT_TRUE(config_from_json(json::object(), kConfigForm).farms.empty());
}

TEST(ConfigFromJson, NullFarmsIsAConfigWithoutFarms) {
    EXPECT_TRUE(config_from_json({{"farms", nullptr}}, kConfigForm).farms.empty());
}

TEST(ConfigFromJson, ReadsFarmsInOrder) {
    json value = {{"farms", {farm_json(), with(with(farm_json(), "name", "alt"), "port", 8443)}}};
    Config config = config_from_json(value, kConfigForm);
    ASSERT_EQ(config.farms.size(), 2u);
    EXPECT_EQ(config.farms[0].name, "web");
    EXPECT_EQ(config.farms[1].name, "alt");
    EXPECT_EQ(config.farms[1].port, 8443);
}

TEST(ConfigFromJson, RefusesAnUnknownTopLevelField) {
    EXPECT_TRUE(config_refused({{"farms", json::array()}, {"farm", json::array()}}, kConfigForm,
                               {"configuration", "unknown field 'farm'"}));
}

TEST(ConfigFromJson, RefusesFarmsThatAreNotAnArray) {
    EXPECT_TRUE(config_refused({{"farms", farm_json()}}, kConfigForm, {"configuration", "'farms'", "array"}));
}

TEST(ConfigFromJson, RefusesSomethingOtherThanAnObject) {
    EXPECT_TRUE(config_refused(json::array({farm_json()}), kConfigForm, {"configuration", "JSON object"}));
}

TEST(ConfigFromJson, NamesTheFarmAtFault) {
    json value = {{"farms", {farm_json(), with(with(farm_json(), "name", "alt"), "proto", "icmp")}}};
    EXPECT_TRUE(config_refused(value, kConfigForm, {"farm 'alt'", "'proto'", "got 'icmp'"}));
}

// ---- emitting -------------------------------------------------------------------

TEST(FarmToJson, ApiFormHasExactlyTheUserFacingFields) {
    EXPECT_EQ(keys_of(farm_to_json(sample_farm(), kApiForm)),
              (std::set<std::string>{"name", "vip", "port", "proto", "mode", "scheduler", "hash_key", "persistence",
                                     "persist_ttl", "snat_addr", "allow", "deny",
                                     "rate_limit", "rate_burst", "timeout_unanswered", "timeout_tcp",
                                     "timeout_tcp_time_wait", "timeout_tcp_close", "timeout_udp",
                                     "check", "check_port", "check_send", "check_expect_body", "check_path", "check_expect", "check_host",
                                     "check_user", "check_password_file", "check_command",
                                     "check_interval", "check_timeout", "check_rise", "check_fall", "on_down", "slowstart"}));
}

TEST(FarmToJson, ConfigFormAddsBackendsWithoutIds) {
    json value = farm_to_json(sample_farm(), kConfigForm);
    EXPECT_EQ(keys_of(value),
              (std::set<std::string>{"name", "vip", "port", "proto", "mode", "scheduler", "hash_key", "persistence",
                                     "persist_ttl", "snat_addr", "allow", "deny",
                                     "rate_limit", "rate_burst", "timeout_unanswered", "timeout_tcp",
                                     "timeout_tcp_time_wait", "timeout_tcp_close", "timeout_udp", "backends",
                                     "check", "check_port", "check_send", "check_expect_body", "check_path", "check_expect", "check_host",
                                     "check_user", "check_password_file", "check_command",
                                     "check_interval", "check_timeout", "check_rise", "check_fall", "on_down", "slowstart"}));
    ASSERT_EQ(value["backends"].size(), 2u);
    EXPECT_FALSE(value["backends"][0].contains("id"));
}

TEST(FarmToJson, StateFormAddsIdsOfFarmAndBackends) {
    json value = farm_to_json(sample_farm(), kStateForm);
    EXPECT_EQ(value["id"], 7);
    EXPECT_EQ(value["backends"][0]["id"], 3);
    EXPECT_EQ(value["backends"][1]["id"], 4);
}

TEST(FarmToJson, WritesEveryValue) {
    json value = farm_to_json(sample_farm(), kApiForm);
    EXPECT_EQ(value["name"], "api");
    EXPECT_EQ(value["vip"], "192.0.2.20");
    EXPECT_EQ(value["port"], 8080);
    EXPECT_EQ(value["proto"], "udp");
    EXPECT_EQ(value["mode"], "dnat");
    EXPECT_EQ(value["scheduler"], "hash");
    EXPECT_EQ(value["hash_key"], "srcip-srcport");
    EXPECT_EQ(value["persistence"], "srcip");
    EXPECT_EQ(value["persist_ttl"], 600);
    EXPECT_EQ(value["snat_addr"], nlohmann::json::array({"192.0.2.1"}));
}

TEST(FarmToJson, WritesAnAbsentSnatAddressAsNull) {
    Farm farm = sample_farm();
    farm.snat_addrs.clear();
    EXPECT_TRUE(farm_to_json(farm, kApiForm)["snat_addr"].is_null());
}

TEST(FarmToJson, ConfigFormWritesAnEmptyBackendListAsAnArray) {
    Farm farm = sample_farm();
    farm.backends.clear();
    json value = farm_to_json(farm, kConfigForm);
    EXPECT_TRUE(value["backends"].is_array());
    EXPECT_TRUE(value["backends"].empty());
}

TEST(BackendToJson, WritesEveryValue) {
    json value = backend_to_json(sample_farm().backends[0], kApiForm);
    EXPECT_EQ(keys_of(value), (std::set<std::string>{"name", "ip", "port", "weight", "priority", "state", "maxconn",
                                                     "check", "check_port", "check_send", "check_expect_body", "check_path", "check_expect", "check_host",
                                     "check_user", "check_password_file", "check_command"}));
    EXPECT_EQ(value["name"], "api1");
    EXPECT_EQ(value["ip"], "10.0.1.1");
    EXPECT_EQ(value["port"], 9090);
    EXPECT_EQ(value["weight"], 250);
    EXPECT_EQ(value["priority"], 2);
    EXPECT_EQ(value["state"], "drain");
    EXPECT_EQ(value["maxconn"], 50);
}

TEST(BackendToJson, WritesAnAbsentPortAsNull) {
    EXPECT_TRUE(backend_to_json(sample_farm().backends[1], kApiForm)["port"].is_null());
}

TEST(ConfigToJson, WritesTheFarmsUnderFarms) {
    Config config{{sample_farm()}};
    json value = config_to_json(config, kConfigForm);
    EXPECT_EQ(keys_of(value), (std::set<std::string>{"farms"}));
    ASSERT_EQ(value["farms"].size(), 1u);
    EXPECT_EQ(value["farms"][0]["name"], "api");
}

TEST(ConfigToJson, WritesAnEmptyConfigAsAnEmptyArray) {
    json value = config_to_json(Config{}, kStateForm);
    EXPECT_TRUE(value["farms"].is_array());
    EXPECT_TRUE(value["farms"].empty());
}

// ---- round trips ----------------------------------------------------------------

// What a form keeps of a farm: the API form drops ids and backends, the config form ids.
Farm as_kept_by(Farm farm, JsonForm form) {
    if (!form.ids) {
        farm.id = 0;
        for (Backend& backend : farm.backends) backend.id = 0;
    }
    if (!form.backends) farm.backends.clear();
    return farm;
}

TEST(JsonRoundTrip, ApiFormKeepsTheFarmsSettings) {
    Farm farm = sample_farm();
    EXPECT_EQ(farm_from_json(farm_to_json(farm, kApiForm), kApiForm), as_kept_by(farm, kApiForm));
}

TEST(JsonRoundTrip, ConfigFormKeepsSettingsAndBackends) {
    Farm farm = sample_farm();
    EXPECT_EQ(farm_from_json(farm_to_json(farm, kConfigForm), kConfigForm), as_kept_by(farm, kConfigForm));
}

TEST(JsonRoundTrip, StateFormKeepsEverything) {
    Farm farm = sample_farm();
    EXPECT_EQ(farm_from_json(farm_to_json(farm, kStateForm), kStateForm), farm);
}

TEST(JsonRoundTrip, DefaultsSurvive) {
    Farm farm;
    farm.id = 1;
    farm.name = "plain";
    farm.vip = *IpAddress::parse("192.0.2.30");
    farm.port = 80;
    farm.backends = {sample_backend(1, "b1", "10.0.2.1")};
    EXPECT_EQ(farm_from_json(farm_to_json(farm, kStateForm), kStateForm), farm);
}

TEST(JsonRoundTrip, BackendKeepsEveryField) {
    for (const Backend& backend : sample_farm().backends) {
        EXPECT_EQ(backend_from_json(backend_to_json(backend, kStateForm), kStateForm), backend);
        Backend without_id = backend;
        without_id.id = 0;
        EXPECT_EQ(backend_from_json(backend_to_json(backend, kApiForm), kApiForm), without_id);
    }
}

TEST(JsonRoundTrip, ExtremeValuesSurvive) {
    Farm farm = sample_farm();
    farm.port = 65535;
    farm.id = 1023;
    farm.backends[0].port = 1;
    farm.backends[0].weight = 1000000;
    farm.backends[0].priority = 1000;
    farm.backends[0].id = 16383;
    EXPECT_EQ(farm_from_json(farm_to_json(farm, kStateForm), kStateForm), farm);
}

TEST(JsonRoundTrip, PortListSurvives) {
    Farm farm = sample_farm();
    farm.port = PortSet::parse("80,443,8000-8100");
    EXPECT_EQ(farm_from_json(farm_to_json(farm, kStateForm), kStateForm), farm);
}

TEST(JsonRoundTrip, ConfigSurvivesTextInEveryForm) {
    Farm other = sample_farm();
    other.id = 8;
    other.name = "other";
    other.port = PortSet::parse("8081,9000-9010");
    for (Backend& backend : other.backends) backend.id += 10;
    Config config{{sample_farm(), other}};
    for (JsonForm form : {kConfigForm, kStateForm}) {
        json reparsed = json::parse(config_to_json(config, form).dump());
        Config expected{{as_kept_by(config.farms[0], form), as_kept_by(config.farms[1], form)}};
        EXPECT_EQ(config_from_json(reparsed, form), expected) << "ids " << form.ids;
    }
}

}  // namespace
}  // namespace xdplb::model
