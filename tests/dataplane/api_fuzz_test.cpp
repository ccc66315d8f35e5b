// Malformed and odd requests through lbd's commands and controller on the real
// maps: every line gets exactly one answer, one line long, and a refused
// request leaves the configuration and the saved state as they were.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands_fixture.hpp"
#include "request_mutator.hpp"

namespace xdplb::testing {
namespace {

using nlohmann::json;

constexpr int kLines = 5000;

// Valid against the farms SetUp makes, so that the mutations reach deep into each command.
const std::vector<std::string> kValidRequests = {
    R"({"command": "farm.add", "args": {"name": "api", "vip": "198.18.0.101", "port": "80,443", "proto": "tcp", "mode": "dnat", "persistence": "srcip", "allow": ["198.18.0.0/24"], "rate_limit": 10, "check": "tcp"}})",
    R"({"command": "farm.set", "args": {"name": "web", "scheduler": "hash", "hash_key": "5tuple", "snat_addr": ["198.18.1.1"], "timeout_tcp": 60}})",
    R"({"command": "farm.del", "args": {"name": "dns"}})",
    R"({"command": "farm.show", "args": {"name": "web"}})",
    R"({"command": "farm.list"})",
    R"({"command": "backend.add", "args": {"farm": "web", "name": "b2", "ip": "198.18.1.12", "port": 8080, "weight": 5, "priority": 2, "maxconn": 100}})",
    R"({"command": "backend.set", "args": {"farm": "web", "name": "b1", "weight": 3, "state": "drain", "check_port": 81}})",
    R"({"command": "backend.del", "args": {"farm": "web", "name": "b1"}})",
    R"({"command": "stats", "args": {"farm": "web"}})",
    R"({"command": "sessions", "args": {"farm": "web", "backend": "b1", "client": "198.18.0.2"}})",
    R"({"command": "sessions.flush", "args": {"farm": "web", "backend": "b1"}})",
    R"({"command": "vrrp.status"})",
};

const std::vector<std::string> kStartingFarms = {
    R"({"command": "farm.add", "args": {"name": "web", "vip": "198.18.0.100", "port": 80, "proto": "tcp"}})",
    R"({"command": "backend.add", "args": {"farm": "web", "name": "b1", "ip": "198.18.1.11"}})",
    R"({"command": "farm.add", "args": {"name": "dns", "vip": "198.18.0.100", "port": 53, "proto": "udp", "mode": "dnat"}})",
};

class ApiFuzz : public CommandsTest {
protected:
    void SetUp() override {
        CommandsTest::SetUp();
        for (const std::string& answer : commands_->answer_all(kStartingFarms)) {
            ASSERT_TRUE(json::parse(answer)["ok"].get<bool>()) << answer;
        }
    }
};

TEST_F(ApiFuzz, EachLineIsAnsweredOnceAndARefusalChangesNothing) {
    RequestMutator mutator(kValidRequests, 20261121);
    int refused = 0;
    for (int i = 0; i < kLines; ++i) {
        // Now and then the farms come back, so that changes keep finding something to change.
        if (i % 500 == 0 && controller_->config().farms.size() < 2) commands_->answer_all(kStartingFarms);
        const std::string line = mutator.next_line();
        const model::Config before = controller_->config();
        const std::string state_before = saved_state();
        const std::vector<std::string> answers = commands_->answer_all({line});
        ASSERT_EQ(answers.size(), 1u) << line;
        const std::string& answer = answers[0];
        ASSERT_TRUE(answer.ends_with("\n")) << answer;
        ASSERT_EQ(answer.find('\n'), answer.size() - 1) << answer;
        const json response = json::parse(answer, nullptr, /*allow_exceptions=*/false);
        ASSERT_TRUE(response.is_object() && response.contains("ok")) << answer;
        if (response["ok"].get<bool>()) continue;
        ++refused;
        const std::string error = response["error"].get<std::string>();
        EXPECT_FALSE(error.empty());
        EXPECT_FALSE(error.starts_with("lbd failed")) << "line " << i << ": " << line.substr(0, 300) << " -> " << error;
        ASSERT_TRUE(controller_->config() == before) << "line " << i << " changed the configuration: " << line;
        ASSERT_EQ(saved_state(), state_before) << "line " << i << " changed the saved state: " << line;
        EXPECT_EQ(controller_->unsaved_changes(), 0u);
    }
    EXPECT_GT(refused, kLines / 2);
    EXPECT_LT(refused, kLines);
}

}  // namespace
}  // namespace xdplb::testing
