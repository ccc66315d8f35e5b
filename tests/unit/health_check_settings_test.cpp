// The health-check options of farms and backends: their JSON form, the
// validation of each, and what a backend's checker runs.
#include <gtest/gtest.h>

#include "model/config_json.hpp"
#include "model/health_check.hpp"
#include "model/validate.hpp"
#include "model_builders.hpp"

namespace xdplb::model {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

json farm_json(json checks) {
    json value = {{"name", "web"}, {"vip", "192.0.2.10"}, {"port", 443}, {"proto", "tcp"}};
    if (checks.is_object()) value.update(checks);
    return value;
}

Farm farm_with_check(json checks) { return farm_from_json(farm_json(std::move(checks)), kApiForm); }

// Reads the farm, validates it with one backend, and says whether it was refused with every part.
::testing::AssertionResult refused(json checks, std::initializer_list<std::string> parts, json backend_checks = {}) {
    return testing::refused_with(
        [&] {
            Farm farm = farm_with_check(checks);
            json backend = {{"name", "web1"}, {"ip", "10.0.0.11"}};
            if (backend_checks.is_object()) backend.update(backend_checks);
            farm.backends.push_back(backend_from_json(backend, kApiForm));
            validate(Config{{farm}});
        },
        parts);
}

TEST(CheckSettings, ReadsAndWritesEveryFarmField) {
    const json checks = {{"check", "http"},         {"check_interval", 0.5},    {"check_timeout", 0.25},
                         {"check_rise", 3},          {"check_fall", 4},           {"check_port", 8080},
                         {"check_path", "/health"},  {"check_expect", 204},       {"check_host", "www.example.test"},
                         {"check_expect_body", "ok"}, {"on_down", "cut"},          {"slowstart", 30}};
    const Farm farm = farm_with_check(checks);
    EXPECT_EQ(farm.check.type, CheckType::http);
    EXPECT_EQ(farm.check.interval_ms, 500U);
    EXPECT_EQ(farm.check.timeout_ms, 250U);
    EXPECT_EQ(farm.check.on_down, OnDown::cut);
    EXPECT_EQ(farm.check.slowstart_s, 30U);
    const json written = farm_to_json(farm, kApiForm);
    for (const auto& [field, value] : checks.items()) EXPECT_EQ(written[field], value) << field;
    EXPECT_TRUE(written["check_user"].is_null());
    EXPECT_EQ(farm_to_json(farm_with_check({{"check_interval", 2}}), kApiForm)["check_interval"], 2);
}

TEST(CheckSettings, UnsetFieldsAreNullAndMeanTheDefault) {
    const json written = farm_to_json(farm_with_check({}), kApiForm);
    for (const char* field : {"check", "check_interval", "check_timeout", "check_rise", "check_fall", "on_down",
                              "slowstart", "check_command"}) {
        EXPECT_TRUE(written.contains(field) && written[field].is_null()) << field;
    }
}

TEST(CheckSettings, RefusesValuesOutOfRange) {
    EXPECT_TRUE(testing::refused_with([] { farm_with_check({{"check", "ping"}}); },
                                      {"'check'", "tcp, http, https, mysql, udp, cmd, none", "'ping'"}));
    EXPECT_TRUE(testing::refused_with([] { farm_with_check({{"check_interval", 0.05}}); },
                                      {"'check_interval'", "from 0.1 to 3600", "0.05"}));
    EXPECT_TRUE(testing::refused_with([] { farm_with_check({{"check_interval", "2"}}); }, {"'check_interval'"}));
    EXPECT_TRUE(testing::refused_with([] { farm_with_check({{"check_timeout", 0.001}}); }, {"from 0.01"}));
    EXPECT_TRUE(testing::refused_with([] { farm_with_check({{"check_rise", 0}}); }, {"'check_rise'", "1 to 100"}));
    EXPECT_TRUE(testing::refused_with([] { farm_with_check({{"check_fall", 101}}); }, {"'check_fall'", "1 to 100"}));
    EXPECT_TRUE(testing::refused_with([] { farm_with_check({{"check_port", 0}}); }, {"'check_port'"}));
    EXPECT_TRUE(testing::refused_with([] { farm_with_check({{"check_expect", 600}}); }, {"'check_expect'", "100 to 599"}));
    EXPECT_TRUE(testing::refused_with([] { farm_with_check({{"on_down", "drop"}}); }, {"'on_down'", "keep, cut"}));
    EXPECT_TRUE(testing::refused_with([] { farm_with_check({{"slowstart", 3601}}); }, {"'slowstart'", "0 to 3600"}));
}

TEST(CheckSettings, TheTimeoutFitsInTheInterval) {
    EXPECT_TRUE(refused({{"check", "tcp"}, {"check_interval", 0.5}, {"check_timeout", 0.6}},
                        {"farm 'web'", "check_timeout (600 ms) must not exceed check_interval (500 ms)"}));
    EXPECT_TRUE(refused({{"check", "tcp"}, {"check_interval", 0.5}}, {"check_timeout (1000 ms)"}))
        << "the default timeout is 1 s";
    EXPECT_FALSE(refused({{"check", "tcp"}, {"check_interval", 0.5}, {"check_timeout", 0.5}}, {""}));
}

TEST(CheckSettings, RefusesOptionsOfAnotherCheckType) {
    EXPECT_TRUE(refused({{"check", "tcp"}, {"check_path", "/"}}, {"check_path applies to http and https checks only, not tcp"}));
    EXPECT_TRUE(refused({{"check", "http"}, {"check_send", "x"}}, {"check_send applies to tcp and udp"}));
    EXPECT_TRUE(refused({{"check", "tcp"}, {"check_user", "monitor"}}, {"check_user applies to mysql"}));
    EXPECT_TRUE(refused({{"check", "mysql"}, {"check_command", "true"}}, {"check_command applies to cmd"}));
    EXPECT_TRUE(refused({{"check_expect", 200}}, {"check_expect", "not none"}));
}

TEST(CheckSettings, RefusesAnIncompleteCheck) {
    EXPECT_TRUE(refused({{"check", "cmd"}}, {"a cmd check needs check_command"}));
    EXPECT_TRUE(refused({{"check", "mysql"}, {"check_password_file", "/etc/xdplb/pass"}},
                        {"check_password_file needs check_user"}));
}

TEST(CheckSettings, RefusesMalformedTexts) {
    EXPECT_TRUE(refused({{"check", "http"}, {"check_path", "health"}}, {"check_path must start with '/'"}));
    EXPECT_TRUE(refused({{"check", "http"}, {"check_path", "/a b"}}, {"check_path", "no spaces"}));
    EXPECT_TRUE(refused({{"check", "http"}, {"check_host", "a\r\nX-Evil: 1"}}, {"check_host"}));
    EXPECT_TRUE(refused({{"check", "tcp"}, {"check_expect_body", ""}}, {"check_expect_body must be 1-1024 bytes"}));
    EXPECT_TRUE(refused({{"check", "tcp"}, {"check_send", std::string(1025, 'x')}}, {"check_send is longer"}));
    EXPECT_TRUE(refused({{"check", "mysql"}, {"check_user", "monitor"}, {"check_password_file", "pass.txt"}},
                        {"check_password_file must be an absolute path, not 'pass.txt'"}));
    EXPECT_TRUE(refused({{"check", "cmd"}, {"check_command", ""}}, {"check_command must be 1-4096 bytes"}));
}

TEST(CheckSettings, ABackendOverridesWhereAndWhatButNotTiming) {
    EXPECT_FALSE(refused({{"check", "http"}}, {""}, {{"check_port", 8080}, {"check_path", "/status"}}));
    EXPECT_TRUE(testing::refused_with(
        [] { backend_from_json({{"name", "web1"}, {"ip", "10.0.0.11"}, {"check_interval", 1}}, kApiForm); },
        {"unknown field 'check_interval'"}));
    EXPECT_TRUE(refused({{"check", "tcp"}}, {"backend 'web1'", "check_path applies to http"}, {{"check_path", "/"}}));
    EXPECT_TRUE(refused({{"check", "tcp"}}, {"backend 'web1'", "a cmd check needs check_command"}, {{"check", "cmd"}}));
}

TEST(CheckSettings, ABackendRunningAnotherTypeIgnoresTheFarmsOptionsOfItsType) {
    Farm farm = farm_with_check({{"check", "http"}, {"check_path", "/health"}, {"check_port", 8080}});
    Backend backend = testing::backend("db1", "10.0.0.21");
    backend.check.type = CheckType::tcp;
    farm.backends = {backend};
    EXPECT_NO_THROW(validate(Config{{farm}}));
    const HealthCheck check = resolve_health_check(farm, farm.backends[0]);
    EXPECT_EQ(check.type, CheckType::tcp);
    EXPECT_EQ(check.path, "/");
    EXPECT_EQ(check.port, 443) << "the farm's check_port belongs to its http check";
}

TEST(ResolveHealthCheck, FillsTheDefaults) {
    Farm farm = farm_with_check({{"check", "http"}});
    farm.port = PortSet::parse("80,443");
    Backend portless = testing::backend("web1", "10.0.0.11");
    Backend on_8443 = testing::backend("web2", "10.0.0.12");
    on_8443.port = 8443;
    const HealthCheck first = resolve_health_check(farm, portless);
    EXPECT_EQ(first.interval, 2000ms);
    EXPECT_EQ(first.timeout, 1000ms);
    EXPECT_EQ(first.rise, 2U);
    EXPECT_EQ(first.fall, 3U);
    EXPECT_EQ(first.port, 80) << "a backend without a port: the farm's first";
    EXPECT_EQ(first.path, "/");
    EXPECT_EQ(first.host, "10.0.0.11");
    EXPECT_EQ(first.on_down, OnDown::keep);
    EXPECT_EQ(first.slowstart, 0s);
    EXPECT_EQ(resolve_health_check(farm, on_8443).port, 8443);
}

TEST(ResolveHealthCheck, ABackendsOverridesWin) {
    Farm farm = farm_with_check({{"check", "http"}, {"check_port", 8080}, {"check_host", "shop.example.test"}});
    Backend backend = testing::backend("web1", "10.0.0.11");
    backend.check.port = 9090;
    const HealthCheck check = resolve_health_check(farm, backend);
    EXPECT_EQ(check.port, 9090);
    EXPECT_EQ(check.host, "shop.example.test");
}

TEST(ResolveHealthCheck, ReplacesTheHostAndPortTokensOfACommand) {
    Farm farm = farm_with_check(
        {{"check", "cmd"}, {"check_command", "check_tcp -H HOST -p PORT --label=HOSTNAME PORTS_HOST HOST"}});
    const HealthCheck check = resolve_health_check(farm, testing::backend("web1", "10.0.0.11"));
    EXPECT_EQ(check.command, "check_tcp -H 10.0.0.11 -p 443 --label=HOSTNAME PORTS_HOST 10.0.0.11");
}

TEST(CheckSettings, SurviveTheStateFile) {
    Farm farm = farm_with_check({{"check", "mysql"}, {"check_user", "monitor"}, {"check_interval", 0.3},
                                 {"check_timeout", 0.2}, {"check_password_file", "/etc/xdplb/monitor.pass"}});
    farm.id = 1;
    Backend backend = testing::backend("db1", "10.0.0.21", 1);
    backend.check.port = 3307;
    farm.backends = {backend};
    const Config config{{farm}};
    EXPECT_EQ(config_from_json(config_to_json(config, kStateForm), kStateForm), config);
}

}  // namespace
}  // namespace xdplb::model
