// Requests sent together (pipelined) through lbd's commands and controller on
// the real maps: their changes are saved once, and a failed save undoes all of
// them, in the maps too.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <xdplb/abi.h>

#include "commands_fixture.hpp"

namespace xdplb::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string> kAddWebWithOneBackend = {
    R"({"command": "farm.add", "args": {"name": "web", "vip": "198.18.0.100", "port": 80, "proto": "tcp"}})",
    R"({"command": "backend.add", "args": {"farm": "web", "name": "b1", "ip": "198.18.1.11"}})",
};

class BatchedChangesTest : public CommandsTest {
protected:
    // Whether the farms map holds web's key, 198.18.0.100:80/tcp.
    bool web_in_farms_map() const {
        xdplb_farm_key key{};
        inet_pton(AF_INET, "198.18.0.100", key.vip.words);
        key.port = htons(80);
        key.proto = IPPROTO_TCP;
        key.family = AF_INET;
        xdplb_farm value{};
        return bpf_map_lookup_elem(program_->map_fd("farms"), &key, &value) == 0;
    }

    json saved_farms() const { return json::parse(saved_state())["config"]["farms"]; }
};

TEST_F(BatchedChangesTest, ChangesSentTogetherAreAllSavedBeforeTheirAnswers) {
    const std::vector<std::string> answers = commands_->answer_all(kAddWebWithOneBackend);
    ASSERT_EQ(answers.size(), 2u);
    for (const std::string& answer : answers) EXPECT_TRUE(json::parse(answer)["ok"].get<bool>()) << answer;
    EXPECT_EQ(controller_->unsaved_changes(), 0u);
    const json farms = saved_farms();
    ASSERT_EQ(farms.size(), 1u);
    EXPECT_EQ(farms[0]["name"], "web");
    EXPECT_EQ(farms[0]["backends"].size(), 1u);
    EXPECT_TRUE(web_in_farms_map());
}

TEST_F(BatchedChangesTest, ARefusedRequestAmongThemChangesNothingAndTheOthersStand) {
    std::vector<std::string> lines = kAddWebWithOneBackend;
    lines.insert(lines.begin() + 1,
                 R"({"command": "backend.add", "args": {"farm": "nope", "name": "b1", "ip": "198.18.1.11"}})");
    const std::vector<std::string> answers = commands_->answer_all(lines);
    ASSERT_EQ(answers.size(), 3u);
    EXPECT_EQ(json::parse(answers[1])["error"], "farm 'nope' does not exist");
    EXPECT_TRUE(json::parse(answers[2])["ok"].get<bool>());
    EXPECT_EQ(saved_farms()[0]["backends"].size(), 1u);
}

TEST_F(BatchedChangesTest, AFailedSaveUndoesEveryChangeSentTogetherInTheMapsToo) {
    // The state file's temporary name taken by a directory: the save cannot create it.
    fs::create_directory(state_dir_ / "state.json.tmp");
    const std::vector<std::string> answers = commands_->answer_all(kAddWebWithOneBackend);
    ASSERT_EQ(answers.size(), 2u);
    for (const std::string& answer : answers) {
        const json response = json::parse(answer);
        EXPECT_FALSE(response["ok"].get<bool>());
        EXPECT_NE(response["error"].get<std::string>().find("lbd failed: cannot create"), std::string::npos) << answer;
    }
    EXPECT_TRUE(controller_->config().farms.empty());
    EXPECT_FALSE(web_in_farms_map());
    EXPECT_TRUE(saved_farms().empty());

    fs::remove(state_dir_ / "state.json.tmp");
    EXPECT_TRUE(json::parse(commands_->answer_all({kAddWebWithOneBackend[0]})[0])["ok"].get<bool>());
    EXPECT_TRUE(web_in_farms_map());
}

}  // namespace
}  // namespace xdplb::testing
