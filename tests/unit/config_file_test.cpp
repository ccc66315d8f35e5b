// A config file is refused with the line and the field of its fault, as
// lbd --check-config, lbd --config and lbctl apply -f show it.
#include "model/config_file.hpp"

#include <gtest/gtest.h>

#include <string>

#include "model/config_json.hpp"
#include "model/validation_error.hpp"
#include "temp_directory.hpp"

namespace xdplb::model {
namespace {

// The message the text is refused with, or "" if it is accepted.
std::string refusal(const std::string& text) {
    try {
        config_from_file_text(text, "farms.json");
    } catch (const ValidationError& error) {
        return error.what();
    }
    return "";
}

// Line 1 "{", line 2 "farms": [, then the farms one per line, then "]}"; a
// farm's text is spliced in where it says FARM.
std::string file_with(const std::string& farms) { return "{\n  \"farms\": [\n" + farms + "\n  ]\n}\n"; }

const std::string kWeb = R"(    {"name": "web", "vip": "198.18.0.100", "port": 80, "proto": "tcp",)"
                         "\n"
                         R"(     "backends": [{"name": "w1", "ip": "198.18.1.11"}]})";

TEST(ConfigFile, AcceptsAValidFile) {
    Config config = config_from_file_text(file_with(kWeb), "farms.json");
    ASSERT_EQ(config.farms.size(), 1u);
    EXPECT_EQ(config.farms[0].backends.at(0).name, "w1");
}

TEST(ConfigFile, SyntaxErrorGivesItsLine) {
    EXPECT_EQ(refusal("{\n  \"farms\": [\n    {\"name\": \"web\"\n     \"vip\": 1}\n  ]\n}\n"),
              "farms.json:4: syntax error while parsing object - unexpected string literal; expected '}'");
}

TEST(ConfigFile, TruncatedFileGivesTheLastLine) {
    EXPECT_EQ(refusal("{\n  \"farms\": [\n"),
              "farms.json:2: syntax error while parsing value - unexpected end of input; expected '[', '{', or a "
              "literal");
}

TEST(ConfigFile, WrongTypeGivesTheFieldAndItsLine) {
    EXPECT_EQ(refusal(file_with(R"(    {"name": "web", "vip": "198.18.0.100", "port": 80,)"
                                "\n"
                                R"(     "proto": 6})")),
              "farms.json:4: farms[0].proto: must be a string");
}

TEST(ConfigFile, OutOfRangeBackendFieldGivesItsPath) {
    EXPECT_EQ(refusal(file_with(R"(    {"name": "web", "vip": "198.18.0.100", "port": 80, "proto": "tcp",)"
                                "\n"
                                R"(     "backends": [{"name": "w1", "ip": "198.18.1.11"},)"
                                "\n"
                                R"(                  {"name": "w2", "ip": "198.18.1.12", "weight": 2000000}]})")),
              "farms.json:5: farms[0].backends[1].weight: must be an integer from 0 to 1000000, got 2000000");
}

TEST(ConfigFile, UnknownFieldIsNamed) {
    EXPECT_EQ(refusal(file_with(kWeb + ",\n" + R"(    {"name": "api", "vip": "198.18.0.100", "port": 81, "proto": "tcp", "colour": 1})")),
              "farms.json:5: farms[1].colour: unknown field");
}

TEST(ConfigFile, MissingRequiredFieldPointsAtItsObject) {
    EXPECT_EQ(refusal(file_with(R"(    {"name": "web", "port": 80, "proto": "tcp"})")),
              "farms.json:3: farms[0].vip: is required");
}

TEST(ConfigFile, DuplicateFarmNameGivesTheSecond) {
    EXPECT_EQ(refusal(file_with(kWeb + ",\n" + R"(    {"name": "web", "vip": "198.18.0.101", "port": 80, "proto": "tcp"})")),
              "farms.json:5: farms[1].name: farm 'web' exists twice");
}

TEST(ConfigFile, BadAddressGivesTheField) {
    EXPECT_EQ(refusal(file_with(R"(    {"name": "web", "vip": "198.18.0.300", "port": 80, "proto": "tcp"})")),
              "farms.json:3: farms[0].vip: '198.18.0.300' is not an IP address");
}

TEST(ConfigFile, UnusableBackendAddressGivesTheField) {
    EXPECT_EQ(refusal(file_with(R"(    {"name": "web", "vip": "198.18.0.100", "port": 80, "proto": "tcp",)"
                                "\n"
                                R"(     "backends": [{"name": "w1", "ip": "127.0.0.1"}]})")),
              "farms.json:4: farms[0].backends[0].ip: farm 'web': backend 'w1' address 127.0.0.1 cannot be used: it "
              "is a loopback address");
}

TEST(ConfigFile, SharedPortGivesTheLaterFarm) {
    EXPECT_EQ(refusal(file_with(kWeb + ",\n" + R"(    {"name": "api", "vip": "198.18.0.100", "port": "80-81", "proto": "tcp"})")),
              "farms.json:5: farms[1].port: farms 'web' and 'api' would both serve port 80/tcp of 198.18.0.100");
}

TEST(ConfigFile, FaultOfTheWholeNamesTheFileOnly) {
    EXPECT_EQ(refusal("[]"), "farms.json: configuration must be a JSON object");
}

TEST(ConfigFile, UnreadableFileIsNamed) {
    xdplb::testing::TempDirectory directory("config-file");
    const std::string missing = (directory.path() / "missing.json").string();
    try {
        read_config_file(missing);
        FAIL() << "read a missing file";
    } catch (const ValidationError& error) {
        EXPECT_EQ(std::string(error.what()), missing + ": cannot read: No such file or directory");
    }
}

TEST(ConfigFile, FileJsonLeavesOutNullsAndReadsBackTheSame) {
    Config config = config_from_file_text(file_with(kWeb), "farms.json");
    const nlohmann::json file = config_file_json(config);
    EXPECT_FALSE(file["farms"][0].contains("snat_addr"));
    EXPECT_FALSE(file["farms"][0]["backends"][0].contains("port"));
    EXPECT_EQ(config_from_file_text(file.dump(2), "exported.json"), config);
}

}  // namespace
}  // namespace xdplb::model
