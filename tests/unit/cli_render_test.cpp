#include "cli/render.hpp"

#include <gtest/gtest.h>

#include "cli/table.hpp"
#include "cli/units.hpp"

namespace xdplb::cli {
namespace {

using nlohmann::json;

json sample_farm() {
    return {{"name", "web"},
            {"vip", "192.0.2.10"},
            {"port", 443},
            {"proto", "tcp"},
            {"mode", "snat"},
            {"scheduler", "weight"},
            {"hash_key", nullptr},
            {"persistence", "none"},
            {"persist_ttl", 300},
            {"snat_addr", nullptr},
            {"backends",
             {{{"name", "web1"}, {"ip", "10.0.0.11"}, {"port", 8443}, {"weight", 100},
               {"priority", 1}, {"state", "up"}, {"maxconn", 0}, {"health", "unknown"},
               {"health_reason", "not checked"}, {"health_since", nullptr}},
              {{"name", "web-standby"}, {"ip", "10.0.0.200"}, {"port", nullptr}, {"weight", 1},
               {"priority", 10}, {"state", "drain"}, {"maxconn", 500}, {"health", "unknown"},
               {"health_reason", "not checked"}, {"health_since", nullptr}}}}};
}

json direction(std::uint64_t packets, std::uint64_t bytes, json packets_per_s, json bits_per_s) {
    return {{"packets", packets}, {"bytes", bytes}, {"packets_per_s", packets_per_s}, {"bits_per_s", bits_per_s}};
}

json traffic(std::uint64_t connections, json connections_per_s, json to_backend, json to_client) {
    return {{"connections", connections},
            {"connections_per_s", connections_per_s},
            {"to_backend", to_backend},
            {"to_client", to_client}};
}

json sample_stats() {
    json web = traffic(12, 2.5, direction(1234, 1234567, 20.0, 12345.6), direction(999, 9876543210, 18.4, 12.3e6));
    web["name"] = "web";
    web["backends"] = json::array();
    for (const auto& [name, counters] :
         {std::pair{"web1", traffic(7, 2.5, direction(1000, 1000000, 20.0, 12345.6),
                                    direction(800, 9000000000, 18.4, 12.3e6))},
          std::pair{"web2", traffic(5, 0.0, direction(234, 234567, 0.0, 0.0), direction(199, 876543210, 0.0, 0.0))}}) {
        json backend = counters;
        backend["name"] = name;
        web["backends"].push_back(backend);
    }
    return {{"rate_window_s", 5.003},
            {"farms", {web}},
            {"reasons", {{"pass_no_farm", 52000}, {"drop_no_backend", 3}, {"drop_other", 0}}},
            {"reasons_per_s", {{"pass_no_farm", 1234.5}, {"drop_no_backend", 0.0}, {"drop_other", 0.0}}}};
}

std::string people(const std::string& command, const json& args, const json& result) {
    return render_for_people(api::Request{command, args}, result);
}

TEST(CliRender, FarmList) {
    json other = sample_farm();
    other["name"] = "dns";
    other["vip"] = "192.0.2.53";
    other["port"] = 53;
    other["proto"] = "udp";
    other["mode"] = "dnat";
    other["backends"] = json::array();
    EXPECT_EQ(people("farm.list", json::object(), {sample_farm(), other}),
              "NAME  VIP         PORT  PROTO  MODE  SCHEDULER  BACKENDS\n"
              "web   192.0.2.10   443  tcp    snat  weight            2\n"
              "dns   192.0.2.53    53  udp    dnat  weight            0\n");
}

TEST(CliRender, FarmListAndShowRenderAPortList) {
    json media = sample_farm();
    media["name"] = "media";
    media["port"] = "80,443,8000-8100";
    media["mode"] = "dsr";
    media["backends"] = json::array();
    EXPECT_EQ(people("farm.list", json::object(), {sample_farm(), media}),
              "NAME   VIP                     PORT  PROTO  MODE  SCHEDULER  BACKENDS\n"
              "web    192.0.2.10               443  tcp    snat  weight            2\n"
              "media  192.0.2.10  80,443,8000-8100  tcp    dsr   weight            0\n");
    const std::string shown = people("farm.show", {{"name", "media"}}, media);
    EXPECT_NE(shown.find("port:         80,443,8000-8100\nproto:        tcp\nmode:         dsr\n"), std::string::npos) << shown;
}

TEST(CliRender, EmptyFarmList) {
    EXPECT_EQ(people("farm.list", json::object(), json::array()), "no farms\n");
}

TEST(CliRender, FarmShow) {
    EXPECT_EQ(people("farm.show", {{"name", "web"}}, sample_farm()),
              "farm:         web\n"
              "vip:          192.0.2.10\n"
              "port:         443\n"
              "proto:        tcp\n"
              "mode:         snat\n"
              "scheduler:    weight\n"
              "persistence:  none\n"
              "snat addr:    address of the egress interface\n"
              "\n"
              "NAME         IP          PORT  WEIGHT  PRIORITY  MAXCONN  STATE  HEALTH   SINCE  LAST CHECK\n"
              "web1         10.0.0.11   8443     100         1        -  up     unknown  -      not checked\n"
              "web-standby  10.0.0.200     -       1        10      500  drain  unknown  -      not checked\n");
}

TEST(CliRender, FarmShowWithHealthChecks) {
    json farm = sample_farm();
    farm.update({{"check", "http"}, {"check_path", "/health"}, {"check_interval", 0.5}, {"check_timeout", nullptr},
                 {"check_rise", nullptr}, {"check_fall", 5}, {"check_port", 8080}, {"check_expect", nullptr},
                 {"on_down", "cut"}, {"slowstart", 30}});
    farm["backends"][0].update({{"health", "up"}, {"health_since", "2026-11-21T10:32:37.125Z"},
                                {"health_reason", "status 200"}});
    farm["backends"][1].update({{"health", "down"}, {"health_since", "2026-11-21T10:40:00.000Z"},
                                {"health_reason", "connect: Connection refused"}});
    const std::string shown = people("farm.show", {{"name", "web"}}, farm);
    EXPECT_NE(shown.find("check:        http GET /health every 0.5 s (timeout 1 s, rise 2, fall 5), port 8080\n"
                         "health:       on down cut, slow start 30 s\n"),
              std::string::npos)
        << shown;
    EXPECT_NE(shown.find("up     up      2026-11-21T10:32:37.125Z  status 200\n"), std::string::npos) << shown;
    EXPECT_NE(shown.find("drain  down    2026-11-21T10:40:00.000Z  connect: Connection refused\n"), std::string::npos)
        << shown;
}

TEST(CliRender, FarmShowWithHashAndPersistence) {
    json farm = sample_farm();
    farm["scheduler"] = "hash";
    farm["persistence"] = "srcip";
    farm["persist_ttl"] = 600;
    std::string shown = people("farm.show", {{"name", "web"}}, farm);
    EXPECT_NE(shown.find("scheduler:    hash of srcip\n"), std::string::npos) << shown;
    EXPECT_NE(shown.find("persistence:  srcip for 600 s\n"), std::string::npos) << shown;
    farm["hash_key"] = "5tuple";
    shown = people("farm.show", {{"name", "web"}}, farm);
    EXPECT_NE(shown.find("scheduler:    hash of 5tuple\n"), std::string::npos) << shown;
}

TEST(CliRender, FarmShowWithSnatAddressAndNoBackends) {
    json farm = sample_farm();
    farm["snat_addr"] = "10.0.0.1";
    farm["backends"] = json::array();
    const std::string shown = people("farm.show", {{"name", "web"}}, farm);
    EXPECT_NE(shown.find("snat addr:    10.0.0.1\n"), std::string::npos) << shown;
    EXPECT_TRUE(shown.ends_with("\n\nno backends\n")) << shown;
}

TEST(CliRender, FarmShowNamesTheProtectionAndTimeoutsItSets) {
    json farm = sample_farm();
    farm["allow"] = json::array({"198.18.0.0/15", "192.0.2.7/32"});
    farm["deny"] = json::array();
    farm["rate_limit"] = 50;
    farm["rate_burst"] = 20;
    farm["timeout_tcp"] = 600;
    farm["timeout_udp"] = nullptr;
    const std::string shown = people("farm.show", {{"name", "web"}}, farm);
    EXPECT_NE(shown.find("snat addr:    address of the egress interface\n"
                         "allow:        198.18.0.0/15, 192.0.2.7/32\n"
                         "rate limit:   50 new connections/s per source, burst 20\n"
                         "timeouts:     tcp 600s (others: lbd's)\n\n"),
              std::string::npos)
        << shown;
    EXPECT_EQ(shown.find("deny"), std::string::npos) << shown;
}

TEST(CliRender, StatsWithRatesAndReasons) {
    EXPECT_EQ(people("stats", json::object(), sample_stats()),
              "rates: per second over the last 5.0 s\n"
              "\n"
              "farm web\n"
              "BACKEND  CONNECTIONS  NEW/S  DIRECTION   PACKETS  PACKETS/S     BYTES       BITS/S\n"
              "web1               7    2.5  to backend     1.0k       20.0    1.0 MB  12.3 kbit/s\n"
              "                             to client       800       18.4    9.0 GB  12.3 Mbit/s\n"
              "web2               5      0  to backend      234          0  234.6 kB      0 bit/s\n"
              "                             to client       199          0  876.5 MB      0 bit/s\n"
              "(farm)            12    2.5  to backend     1.2k       20.0    1.2 MB  12.3 kbit/s\n"
              "                             to client       999       18.4    9.9 GB  12.3 Mbit/s\n"
              "\n"
              "REASON           PACKETS  PACKETS/S\n"
              "drop_no_backend        3          0\n"
              "pass_no_farm       52.0k       1.2k\n");
}

TEST(CliRender, StatsOfOneFarmHasNoReasons) {
    json stats = sample_stats();
    stats.erase("reasons");
    stats.erase("reasons_per_s");
    const std::string shown = people("stats", {{"farm", "web"}}, stats);
    EXPECT_TRUE(shown.starts_with("rates: per second over the last 5.0 s\n\nfarm web\n")) << shown;
    EXPECT_EQ(shown.find("REASON"), std::string::npos) << shown;
}

TEST(CliRender, StatsBeforeLbdHasRatesShowDashes) {
    json stats = sample_stats();
    stats["rate_window_s"] = nullptr;
    json& web = stats["farms"][0];
    web["connections_per_s"] = nullptr;
    web["to_backend"]["packets_per_s"] = nullptr;
    web["to_client"]["bits_per_s"] = nullptr;
    const std::string shown = people("stats", {{"farm", "web"}}, stats);
    EXPECT_TRUE(shown.starts_with("no rates yet: lbd samples the counters every second\n\nfarm web\n")) << shown;
    EXPECT_NE(shown.find("(farm)            12      -  to backend     1.2k          -    1.2 MB  12.3 kbit/s\n"
                         "                             to client       999       18.4    9.9 GB            -\n"),
              std::string::npos)
        << shown;
}

TEST(CliRender, StatsWithoutFarmsOrNonZeroReasons) {
    EXPECT_EQ(people("stats", json::object(),
                     {{"farms", json::array()}, {"reasons", {{"pass_no_farm", 0}}}}),
              "no farms\n");
}

TEST(CliRender, StatsWithoutFarmsShowsTheReasons) {
    EXPECT_EQ(people("stats", json::object(),
                     {{"rate_window_s", 1.0},
                      {"farms", json::array()},
                      {"reasons", {{"pass_no_farm", 7}}},
                      {"reasons_per_s", {{"pass_no_farm", 0.4}}}}),
              "rates: per second over the last 1.0 s\n"
              "\n"
              "no farms\n"
              "\n"
              "REASON        PACKETS  PACKETS/S\n"
              "pass_no_farm        7        0.4\n");
}

TEST(CliRender, ResultsOfUnexpectedShapeShowAsDashes) {
    EXPECT_EQ(people("farm.list", json::object(), {{{"name", "web"}}}),
              "NAME  VIP  PORT  PROTO  MODE  SCHEDULER  BACKENDS\n"
              "web   -       -  -      -     -                 0\n");
    EXPECT_EQ(people("farm.show", {{"name", "web"}}, "surprise"),
              "farm:         -\nvip:          -\nport:         -\nproto:        -\nmode:         -\n"
              "scheduler:    -\npersistence:  -\nsnat addr:    address of the egress interface\n\nno backends\n");
}

TEST(CliRender, ConfirmationsOfChanges) {
    const json farm = sample_farm();
    EXPECT_EQ(people("farm.add", {{"name", "web"}}, farm), "farm web added\n");
    EXPECT_EQ(people("farm.set", {{"name", "web"}}, farm), "farm web changed\n");
    EXPECT_EQ(people("farm.del", {{"name", "web"}}, nullptr), "farm web deleted\n");
    EXPECT_EQ(people("backend.add", {{"farm", "web"}, {"name", "web1"}}, farm),
              "backend web1 added to farm web\n");
    EXPECT_EQ(people("backend.set", {{"farm", "web"}, {"name", "web1"}}, farm),
              "backend web1 of farm web changed\n");
    EXPECT_EQ(people("backend.del", {{"farm", "web"}, {"name", "web1"}}, farm),
              "backend web1 removed from farm web\n");
}

TEST(CliRender, JsonIsTheResultAlone) {
    EXPECT_EQ(render_json(nullptr), "null\n");
    EXPECT_EQ(render_json({{"name", "web"}, {"port", 80}}),
              "{\n  \"name\": \"web\",\n  \"port\": 80\n}\n");
    EXPECT_EQ(json::parse(render_json(sample_stats())), sample_stats());
}

TEST(CliTable, AlignsColumnsAndDropsTrailingBlanks) {
    Table table({{"NAME"}, {"COUNT", Align::right}, {"NOTE"}});
    table.add_row({"a", "1", ""});
    table.add_row({"longer-name", "12345", "x"});
    EXPECT_EQ(table.str(),
              "NAME         COUNT  NOTE\n"
              "a                1\n"
              "longer-name  12345  x\n");
}

json sample_sessions() {
    return {{"connections",
             {{{"farm", "web"}, {"proto", "tcp"}, {"client_addr", "198.18.0.2"}, {"client_port", 40000},
               {"vip", "198.18.0.100"}, {"vip_port", 80}, {"backend", "web1"}, {"source_addr", "198.18.1.1"},
               {"source_port", 5000}, {"backend_addr", "198.18.1.11"}, {"backend_port", 8080},
               {"state", "open"}, {"idle_s", 3}},
              {{"farm", "web"}, {"proto", "udp"}, {"client_addr", "fd00::2"}, {"client_port", 53000},
               {"vip", "fd00::100"}, {"vip_port", 53}, {"backend", nullptr}, {"source_addr", "fd00::2"},
               {"source_port", 53000}, {"backend_addr", "fd00:1::12"}, {"backend_port", 53},
               {"state", "unanswered"}, {"idle_s", 12}}}},
            {"connection_count", 2},
            {"persistence", {{{"farm", "web"}, {"source", "198.18.0.2"}, {"backend", "web1"}, {"expires_in_s", 297}}}},
            {"persistence_count", 1}};
}

TEST(CliRender, Sessions) {
    EXPECT_EQ(people("sessions", json::object(), sample_sessions()),
              "FARM  PROTO  CLIENT            VIP              BACKEND  BACKEND SIDE                        STATE"
              "       IDLE\n"
              "web   tcp    198.18.0.2:40000  198.18.0.100:80  web1     198.18.1.1:5000 > 198.18.1.11:8080  open"
              "          3s\n"
              "web   udp    [fd00::2]:53000   [fd00::100]:53   -        [fd00::2]:53000 > [fd00:1::12]:53   unanswered"
              "   12s\n"
              "\n"
              "FARM  SOURCE      BACKEND  EXPIRES IN\n"
              "web   198.18.0.2  web1           297s\n"
              "\n"
              "2 connections, 1 persistence entry\n");
}

TEST(CliRender, SessionsCountLineSaysWhenTheListIsCapped) {
    json result = sample_sessions();
    result["connection_count"] = 1500;
    result["persistence"] = json::array();
    result["persistence_count"] = 0;
    const std::string shown = people("sessions", json::object(), result);
    EXPECT_TRUE(shown.ends_with("\n1500 connections (2 listed), 0 persistence entries\n")) << shown;
    EXPECT_EQ(shown.find("EXPIRES IN"), std::string::npos) << shown;
}

TEST(CliRender, NoSessions) {
    EXPECT_EQ(people("sessions", {{"farm", "web"}},
                     {{"connections", json::array()}, {"connection_count", 0}, {"persistence", json::array()},
                      {"persistence_count", 0}}),
              "0 connections, 0 persistence entries\n");
}

TEST(CliRender, SessionsFlush) {
    EXPECT_EQ(people("sessions.flush", {{"farm", "web"}}, {{"connections", 1}, {"persistence", 0}}),
              "1 connection and 0 persistence entries removed from farm web\n");
    EXPECT_EQ(people("sessions.flush", {{"farm", "web"}, {"backend", "web1"}}, {{"connections", 3}, {"persistence", 1}}),
              "3 connections and 1 persistence entry removed from farm web, backend web1\n");
}

TEST(CliTable, RowNeedsOneCellPerColumn) {
    Table table({{"A"}, {"B"}});
    EXPECT_THROW(table.add_row({"only one"}), std::invalid_argument);
    EXPECT_THROW(table.add_row({"1", "2", "3"}), std::invalid_argument);
}

TEST(CliUnits, Counts) {
    EXPECT_EQ(human_count(0), "0");
    EXPECT_EQ(human_count(999), "999");
    EXPECT_EQ(human_count(1000), "1.0k");
    EXPECT_EQ(human_count(1250), "1.2k");
    EXPECT_EQ(human_count(999949), "999.9k");
    EXPECT_EQ(human_count(999950), "1.0M");
    EXPECT_EQ(human_count(3400000000), "3.4G");
    EXPECT_EQ(human_count(UINT64_MAX), "18.4E");
}

TEST(CliUnits, Rates) {
    EXPECT_EQ(human_rate(0), "0");
    EXPECT_EQ(human_rate(0.04), "0.0");
    EXPECT_EQ(human_rate(0.4), "0.4");
    EXPECT_EQ(human_rate(999.9), "999.9");
    EXPECT_EQ(human_rate(999.96), "1.0k");
    EXPECT_EQ(human_rate(2.5e6), "2.5M");
}

TEST(CliUnits, BitRates) {
    EXPECT_EQ(human_bit_rate(0), "0 bit/s");
    EXPECT_EQ(human_bit_rate(512), "512.0 bit/s");
    EXPECT_EQ(human_bit_rate(12.34e6), "12.3 Mbit/s");
    EXPECT_EQ(human_bit_rate(9.99e9), "10.0 Gbit/s");
}

TEST(CliUnits, Bytes) {
    EXPECT_EQ(human_bytes(0), "0 B");
    EXPECT_EQ(human_bytes(512), "512 B");
    EXPECT_EQ(human_bytes(1234567), "1.2 MB");
    EXPECT_EQ(human_bytes(9876543210), "9.9 GB");
    EXPECT_EQ(human_bytes(1500000000000), "1.5 TB");
}

}  // namespace
}  // namespace xdplb::cli

namespace xdplb::cli {
namespace {

const json kApplied = {
    {"applied", true},
    {"changes",
     {{{"change", "add"}, {"farm", "api"}},
      {{"change", "change"},
       {"farm", "web"},
       {"fields", {{{"field", "scheduler"}, {"from", "weight"}, {"to", "hash"}}}}},
      {{"change", "change"},
       {"farm", "web"},
       {"backend", "web1"},
       {"fields", {{{"field", "weight"}, {"from", 1}, {"to", 5}}, {{"field", "port"}, {"from", nullptr}, {"to", 8080}}}}},
      {{"change", "remove"}, {"farm", "web"}, {"backend", "web3"}}}}};

TEST(CliRender, ApplyShowsEachChangeThenTheOutcome) {
    EXPECT_EQ(render_for_people({"config.apply", json::object()}, kApplied),
              "+ farm api\n"
              "~ farm web: scheduler weight → hash\n"
              "~ backend web/web1: weight 1 → 5, port - → 8080\n"
              "- backend web/web3\n"
              "applied: 4 changes\n");
}

TEST(CliRender, DryRunSaysNoneApplied) {
    json result = kApplied;
    result["applied"] = false;
    const std::string text = render_for_people({"config.apply", {{"dry_run", true}}}, result);
    EXPECT_TRUE(text.ends_with("- backend web/web3\ndry run: 4 changes, none applied\n")) << text;
}

TEST(CliRender, ApplyWithoutDifferences) {
    EXPECT_EQ(render_for_people({"config.apply", json::object()}, {{"applied", false}, {"changes", json::array()}}),
              "no change\n");
}

}  // namespace
}  // namespace xdplb::cli
