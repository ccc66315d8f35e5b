// What `lbctl sessions` shows: one connection per TO_BACKEND entry, in the
// model's names, filtered, sorted, capped; persistence entries with their
// time left.
#include "daemon/sessions.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include "model_builders.hpp"

namespace xdplb::daemon {
namespace {

using nlohmann::json;
using model::testing::backend;

constexpr std::uint64_t kSecond = 1'000'000'000;
constexpr std::uint64_t kNow = 5'000 * kSecond;

xdplb_addr address(const char* text, std::uint8_t family) {
    xdplb_addr result{};
    inet_pton(family, text, result.words);
    return result;
}

model::Config sample_config() {
    model::Farm web;
    web.id = 1;
    web.name = "web";
    web.backends = {backend("web1", "198.18.1.11", 11), backend("web2", "198.18.1.12", 12)};
    model::Farm db;
    db.id = 2;
    db.name = "db";
    db.backends = {backend("db1", "198.18.1.21", 21)};
    return {{web, db}};
}

// A connection from client:cport to vip:vport, sent as snat:sport -> backend:bport.
dataplane::ConnectionEntry connection(std::uint32_t farm_id, std::uint32_t backend_id, const char* client,
                                std::uint16_t cport, std::uint8_t family = AF_INET,
                                std::uint8_t direction = XDPLB_DIR_TO_BACKEND) {
    const bool v4 = family == AF_INET;
    dataplane::ConnectionEntry entry{};
    entry.key.src = address(client, family);
    entry.key.dst = address(v4 ? "198.18.0.100" : "fd00::100", family);
    entry.key.sport = htons(cport);
    entry.key.dport = htons(80);
    entry.key.proto = IPPROTO_TCP;
    entry.key.family = family;
    entry.value.new_src = address(v4 ? "198.18.1.1" : "fd00:1::1", family);
    entry.value.new_dst = address(v4 ? "198.18.1.11" : "fd00:1::11", family);
    entry.value.new_sport = htons(5000);
    entry.value.new_dport = htons(8080);
    entry.value.farm_id = farm_id;
    entry.value.backend_id = backend_id;
    entry.value.direction = direction;
    entry.value.replied = 1;
    entry.value.last_seen_ns = kNow - 3 * kSecond;
    return entry;
}

dataplane::PersistenceEntry persistence(std::uint32_t farm_id, std::uint32_t backend_id, const char* source,
                                        std::uint64_t age_s) {
    dataplane::PersistenceEntry entry{};
    entry.key.farm_id = farm_id;
    entry.key.family = AF_INET;
    entry.key.src = address(source, AF_INET);
    entry.value.backend_id = backend_id;
    entry.value.last_seen_ns = kNow - age_s * kSecond;
    return entry;
}

SessionSnapshot snapshot(std::vector<dataplane::ConnectionEntry> connections,
                         std::vector<dataplane::PersistenceEntry> persistence_entries = {}) {
    return {std::move(connections), std::move(persistence_entries), {{1, 600}, {2, 0}}, kNow};
}

TEST(SessionsView, ConnectionInFull) {
    json view = sessions_view(snapshot({connection(1, 11, "198.18.0.2", 40000)}), sample_config(), {});
    EXPECT_EQ(view["connection_count"], 1);
    ASSERT_EQ(view["connections"].size(), 1u);
    EXPECT_EQ(view["connections"][0], json({{"farm", "web"},
                                            {"proto", "tcp"},
                                            {"client_addr", "198.18.0.2"},
                                            {"client_port", 40000},
                                            {"vip", "198.18.0.100"},
                                            {"vip_port", 80},
                                            {"backend", "web1"},
                                            {"source_addr", "198.18.1.1"},
                                            {"source_port", 5000},
                                            {"backend_addr", "198.18.1.11"},
                                            {"backend_port", 8080},
                                            {"state", "open"},
                                            {"idle_s", 3}}));
}

TEST(SessionsView, Ipv6Addresses) {
    json view = sessions_view(snapshot({connection(1, 11, "fd00::2", 40000, AF_INET6)}), sample_config(), {});
    EXPECT_EQ(view["connections"][0]["client_addr"], "fd00::2");
    EXPECT_EQ(view["connections"][0]["vip"], "fd00::100");
    EXPECT_EQ(view["connections"][0]["source_addr"], "fd00:1::1");
    EXPECT_EQ(view["connections"][0]["backend_addr"], "fd00:1::11");
}

TEST(SessionsView, EachConnectionOnceByItsEntryTowardTheBackend) {
    json view = sessions_view(snapshot({connection(1, 11, "198.18.0.2", 40000),
                                        connection(1, 11, "198.18.1.11", 8080, AF_INET, XDPLB_DIR_TO_CLIENT),
                                        connection(1, 12, "198.18.0.3", 40000, AF_INET, XDPLB_DIR_DSR)}),
                              sample_config(), {});
    EXPECT_EQ(view["connection_count"], 2);
    EXPECT_EQ(view["connections"][0]["client_addr"], "198.18.0.2");
    EXPECT_EQ(view["connections"][1]["client_addr"], "198.18.0.3");
}

TEST(SessionsView, SortedByFarmNameThenClient) {
    json view = sessions_view(snapshot({connection(1, 11, "198.18.0.9", 1), connection(2, 21, "198.18.0.2", 1),
                                        connection(1, 11, "198.18.0.2", 2), connection(1, 11, "198.18.0.2", 1)}),
                              sample_config(), {});
    std::vector<std::string> order;
    for (const json& c : view["connections"]) {
        order.push_back(c["farm"].get<std::string>() + " " + c["client_addr"].get<std::string>() + ":" +
                        std::to_string(c["client_port"].get<int>()));
    }
    EXPECT_EQ(order, (std::vector<std::string>{"db 198.18.0.2:1", "web 198.18.0.2:1", "web 198.18.0.2:2",
                                               "web 198.18.0.9:1"}));
}

SessionFilter filter(std::optional<std::uint32_t> farm_id, std::optional<std::uint32_t> backend_id = std::nullopt,
                     std::optional<IpAddress> client = std::nullopt) {
    SessionFilter result;
    result.farm_id = farm_id;
    result.backend_id = backend_id;
    result.client = client;
    return result;
}

TEST(SessionsView, FiltersByFarmBackendAndClient) {
    SessionSnapshot all = snapshot(
        {connection(1, 11, "198.18.0.2", 1), connection(1, 12, "198.18.0.3", 1), connection(2, 21, "198.18.0.2", 1)},
        {persistence(1, 11, "198.18.0.2", 0), persistence(1, 12, "198.18.0.3", 0), persistence(2, 21, "198.18.0.2", 0)});
    const model::Config config = sample_config();

    json farm_only = sessions_view(all, config, filter(1));
    EXPECT_EQ(farm_only["connection_count"], 2);
    EXPECT_EQ(farm_only["persistence_count"], 2);

    json one_backend = sessions_view(all, config, filter(1, 12));
    EXPECT_EQ(one_backend["connection_count"], 1);
    EXPECT_EQ(one_backend["connections"][0]["backend"], "web2");
    EXPECT_EQ(one_backend["persistence"][0]["source"], "198.18.0.3");

    json one_client = sessions_view(all, config, filter(std::nullopt, std::nullopt, IpAddress::parse("198.18.0.2")));
    EXPECT_EQ(one_client["connection_count"], 2);
    EXPECT_EQ(one_client["persistence_count"], 2);

    // The same bytes in the other family are another address.
    json other_family = sessions_view(all, config, filter(std::nullopt, std::nullopt, IpAddress::parse("c612:2::")));
    EXPECT_EQ(other_family["connection_count"], 0);
}

TEST(SessionsView, IdsTheModelNoLongerHasShowAsNull) {
    json view = sessions_view(snapshot({connection(9, 99, "198.18.0.2", 1)}), sample_config(), {});
    EXPECT_TRUE(view["connections"][0]["farm"].is_null());
    EXPECT_TRUE(view["connections"][0]["backend"].is_null());
}

TEST(SessionsView, ListsAreCappedButCountsAreNot) {
    std::vector<dataplane::ConnectionEntry> many;
    for (std::uint16_t port = 1; port <= 5; ++port) many.push_back(connection(1, 11, "198.18.0.2", port));
    json view = sessions_view(snapshot(many, {persistence(1, 11, "198.18.0.2", 0), persistence(1, 11, "198.18.0.3", 0)}),
                              sample_config(), {}, 1);
    EXPECT_EQ(view["connection_count"], 5);
    EXPECT_EQ(view["connections"].size(), 1u);
    EXPECT_EQ(view["persistence_count"], 2);
    EXPECT_EQ(view["persistence"].size(), 1u);
}

TEST(SessionsView, PersistenceExpiresTheFarmsTtlAfterItWasLastSeen) {
    json view = sessions_view(snapshot({}, {persistence(1, 11, "198.18.0.7", 100), persistence(1, 12, "198.18.0.8", 700),
                                            persistence(2, 21, "198.18.0.9", 0)}),
                              sample_config(), {});
    EXPECT_EQ(view["persistence"][0], json({{"farm", "db"}, {"source", "198.18.0.9"}, {"backend", "db1"},
                                            {"expires_in_s", 0}}));
    EXPECT_EQ(view["persistence"][1], json({{"farm", "web"}, {"source", "198.18.0.7"}, {"backend", "web1"},
                                            {"expires_in_s", 500}}));
    EXPECT_EQ(view["persistence"][2]["expires_in_s"], 0);
}

TEST(SessionsView, NothingTracked) {
    EXPECT_EQ(sessions_view(snapshot({}), sample_config(), {}),
              json({{"connections", json::array()},
                    {"connection_count", 0},
                    {"persistence", json::array()},
                    {"persistence_count", 0}}));
}

}  // namespace
}  // namespace xdplb::daemon
