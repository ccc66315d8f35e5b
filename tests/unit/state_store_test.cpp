#include "state/state_store.hpp"

#include <gtest/gtest.h>

#include "temp_directory.hpp"
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

#include "model/config_json.hpp"

namespace xdplb::state {
namespace {

namespace fs = std::filesystem;
using model::Backend;
using model::Config;
using model::Farm;
using nlohmann::json;

// ---- helpers -------------------------------------------------------------------

Backend backend(std::uint32_t id, const std::string& name, const std::string& ip) {
    Backend b;
    b.id = id;
    b.name = name;
    b.ip = *IpAddress::parse(ip);
    return b;
}

Farm farm(std::uint32_t id, const std::string& name, std::uint16_t port) {
    Farm f;
    f.id = id;
    f.name = name;
    f.vip = *IpAddress::parse("192.0.2.10");
    f.port = port;
    return f;
}

// Two farms with ids that are not simply 1, 2, 3 and settings away from the defaults.
Config sample_config() {
    Farm web = farm(3, "web", 443);
    web.snat_addrs = {*IpAddress::parse("192.0.2.1")};
    web.backends = {backend(7, "web1", "10.0.0.11"), backend(2, "web2", "10.0.0.12")};
    web.backends[0].port = 8443;
    web.backends[0].weight = 40;
    web.backends[1].priority = 2;
    web.backends[1].state = model::AdminState::drain;
    Farm dns = farm(1, "dns", 53);
    dns.proto = model::Protocol::udp;
    dns.mode = model::Mode::dnat;
    dns.backends = {backend(12, "ns1", "10.0.0.53")};
    return Config{{web, dns}};
}

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

// A state document as save() writes it, to corrupt in one place at a time.
json state_document(const Config& config) {
    return {{"version", 1}, {"config", model::config_to_json(config, model::kStateForm)}};
}

class StateStoreTest : public ::testing::Test {
protected:

    std::set<std::string> entries(const fs::path& directory) const {
        std::set<std::string> names;
        for (const auto& entry : fs::directory_iterator(directory)) names.insert(entry.path().filename().string());
        return names;
    }

    // Writes `bytes` as the state file, checks that load() refuses it with a
    // StateError and leaves it byte for byte as it was.
    ::testing::AssertionResult refused_untouched(const std::string& bytes) const {
        StateStore store(root_);
        write_bytes(store.file(), bytes);
        try {
            store.load();
            return ::testing::AssertionFailure() << "loaded " << bytes;
        } catch (const StateError&) {
        }
        if (read_bytes(store.file()) != bytes) return ::testing::AssertionFailure() << "the file was changed";
        if (entries(root_) != std::set<std::string>{"state.json"}) {
            return ::testing::AssertionFailure() << "other files appeared next to it";
        }
        return ::testing::AssertionSuccess();
    }

    testing::TempDirectory temp_{"state-test"};
    const fs::path& root_ = temp_.path();
};

// ---- load and save --------------------------------------------------------------

TEST_F(StateStoreTest, KeepsTheFileInTheDirectory) {
    EXPECT_EQ(StateStore(root_).file(), root_ / "state.json");
}

TEST_F(StateStoreTest, LoadsWhatItSavedIdsIncluded) {
    StateStore store(root_);
    store.save(sample_config());
    auto loaded = store.load();
    ASSERT_TRUE(loaded.has_value());
    EXPECT_EQ(*loaded, sample_config());
}

TEST_F(StateStoreTest, AnotherStoreOnTheSameDirectoryLoadsIt) {
    StateStore(root_).save(sample_config());
    EXPECT_EQ(StateStore(root_).load(), sample_config());
}

TEST_F(StateStoreTest, LoadsASavedEmptyConfigAsEmptyNotAbsent) {
    StateStore store(root_);
    store.save(Config{});
    auto loaded = store.load();
    ASSERT_TRUE(loaded.has_value());
    EXPECT_TRUE(loaded->farms.empty());
}

TEST_F(StateStoreTest, LoadWithoutAFileIsNothing) { EXPECT_FALSE(StateStore(root_).load().has_value()); }

TEST_F(StateStoreTest, LoadWithoutTheDirectoryIsNothing) {
    EXPECT_FALSE(StateStore(root_ / "never" / "made").load().has_value());
}

TEST_F(StateStoreTest, WritesVersion1WithTheStateForm) {
    StateStore store(root_);
    store.save(sample_config());
    json document = json::parse(read_bytes(store.file()));
    EXPECT_EQ(document["version"], 1);
    EXPECT_EQ(document["config"], model::config_to_json(sample_config(), model::kStateForm));
}

TEST_F(StateStoreTest, SaveLeavesNoTemporaryFileBehind) {
    StateStore store(root_);
    store.save(sample_config());
    store.save(Config{});
    EXPECT_EQ(entries(root_), std::set<std::string>{"state.json"});
}

TEST_F(StateStoreTest, SaveCreatesTheDirectory) {
    StateStore store(root_ / "var" / "lib" / "xdplb");
    store.save(sample_config());
    EXPECT_TRUE(fs::is_regular_file(root_ / "var" / "lib" / "xdplb" / "state.json"));
    EXPECT_EQ(store.load(), sample_config());
}

TEST_F(StateStoreTest, TheFileIsReadableByItsOwnerOnly) {
    StateStore store(root_);
    mode_t previous_umask = ::umask(0);  // so only the mode save() asks for counts
    store.save(sample_config());
    ::umask(previous_umask);
    struct stat status {};
    ASSERT_EQ(::stat(store.file().c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 07777, 0600u);
}

TEST_F(StateStoreTest, SavingReplacesThePreviousStateCompletely) {
    StateStore store(root_);
    store.save(sample_config());
    Config smaller{{farm(1, "only", 8080)}};
    store.save(smaller);
    EXPECT_EQ(store.load(), smaller);
    std::string bytes = read_bytes(store.file());
    EXPECT_EQ(bytes.find("web"), std::string::npos) << bytes;
    EXPECT_EQ(json::parse(bytes)["config"], model::config_to_json(smaller, model::kStateForm));
}

TEST_F(StateStoreTest, SaveReplacesALeftoverTemporaryFile) {
    StateStore store(root_);
    write_bytes(root_ / "state.json.tmp", std::string(10000, 'x'));
    store.save(sample_config());
    EXPECT_EQ(store.load(), sample_config());
    EXPECT_EQ(entries(root_), std::set<std::string>{"state.json"});
}

TEST_F(StateStoreTest, AFailedSaveIsAStateErrorAndKeepsThePreviousState) {
    StateStore store(root_);
    store.save(sample_config());
    std::string before = read_bytes(store.file());
    fs::create_directory(root_ / "state.json.tmp");  // the temporary file cannot be created
    EXPECT_THROW(store.save(Config{}), StateError);
    EXPECT_EQ(read_bytes(store.file()), before);
    EXPECT_EQ(store.load(), sample_config());
}

TEST_F(StateStoreTest, SaveWhereADirectoryCannotBeIsAStateError) {
    write_bytes(root_ / "file", "not a directory");
    EXPECT_THROW(StateStore(root_ / "file").save(sample_config()), StateError);
}

// ---- refusing what is not a valid state ------------------------------------------

TEST_F(StateStoreTest, RefusesCorruptJsonAndLeavesItUntouched) {
    EXPECT_TRUE(refused_untouched("{\"version\": 1, \"config\": {\"farms\": [{\"name\": \"web\""));
}

TEST_F(StateStoreTest, RefusesATruncatedSave) {
    StateStore store(root_);
    store.save(sample_config());
    std::string whole = read_bytes(store.file());
    EXPECT_TRUE(refused_untouched(whole.substr(0, whole.size() / 2)));
}

TEST_F(StateStoreTest, RefusesAnEmptyFile) { EXPECT_TRUE(refused_untouched("")); }

TEST_F(StateStoreTest, RefusesBinaryGarbage) { EXPECT_TRUE(refused_untouched(std::string("\0\xff\x01state", 8))); }

TEST_F(StateStoreTest, SaysTheFileWasLeftUntouched) {
    StateStore store(root_);
    write_bytes(store.file(), "{oops");
    try {
        store.load();
        FAIL() << "loaded a corrupt file";
    } catch (const StateError& error) {
        std::string message = error.what();
        EXPECT_NE(message.find(store.file().string()), std::string::npos) << message;
        EXPECT_NE(message.find("untouched"), std::string::npos) << message;
    }
}

TEST_F(StateStoreTest, RefusesAnotherVersion) {
    json document = state_document(sample_config());
    document["version"] = 2;
    EXPECT_TRUE(refused_untouched(document.dump()));
}

TEST_F(StateStoreTest, RefusesAMissingVersion) {
    json document = state_document(sample_config());
    document.erase("version");
    EXPECT_TRUE(refused_untouched(document.dump()));
}

TEST_F(StateStoreTest, RefusesAVersionThatIsNotAnInteger) {
    for (const json& version : {json("1"), json(true), json(1.5), json::array({1}), json(nullptr)}) {
        json document = state_document(sample_config());
        document["version"] = version;
        EXPECT_TRUE(refused_untouched(document.dump())) << "version " << version.dump();
    }
}

TEST_F(StateStoreTest, RefusesAVersionThatOnlyWrapsAroundTo1) {
    json document = state_document(sample_config());
    document["version"] = 4294967297ULL;  // 2^32 + 1
    EXPECT_TRUE(refused_untouched(document.dump()));
}

TEST_F(StateStoreTest, RefusesADocumentWithoutConfig) {
    EXPECT_TRUE(refused_untouched(json{{"version", 1}}.dump()));
}

TEST_F(StateStoreTest, RefusesADocumentThatIsNotAnObject) {
    EXPECT_TRUE(refused_untouched(json::array({1, 2}).dump()));
    EXPECT_TRUE(refused_untouched("1"));
}

TEST_F(StateStoreTest, RefusesAConfigThatIsNotAnObject) {
    EXPECT_TRUE(refused_untouched(json{{"version", 1}, {"config", json::array()}}.dump()));
}

TEST_F(StateStoreTest, RefusesDuplicateFarmNames) {
    Config twice = sample_config();
    twice.farms[1].name = twice.farms[0].name;
    EXPECT_TRUE(refused_untouched(state_document(twice).dump()));
}

TEST_F(StateStoreTest, RefusesDuplicateIds) {
    Config clash = sample_config();
    clash.farms[1].backends[0].id = clash.farms[0].backends[0].id;
    EXPECT_TRUE(refused_untouched(state_document(clash).dump()));
}

TEST_F(StateStoreTest, RefusesFarmsWithoutIds) {
    // A config file is not a state file: its farms have no ids.
    json document = {{"version", 1}, {"config", model::config_to_json(sample_config(), model::kConfigForm)}};
    EXPECT_TRUE(refused_untouched(document.dump()));
}

TEST_F(StateStoreTest, RefusesAnUnknownFarmField) {
    json document = state_document(sample_config());
    document["config"]["farms"][0]["weight"] = 1;
    EXPECT_TRUE(refused_untouched(document.dump()));
}

TEST_F(StateStoreTest, NamesTheProblemOfAnInvalidState) {
    Config twice = sample_config();
    twice.farms[1].name = twice.farms[0].name;
    StateStore store(root_);
    write_bytes(store.file(), state_document(twice).dump());
    try {
        store.load();
        FAIL() << "loaded an invalid state";
    } catch (const StateError& error) {
        std::string message = error.what();
        EXPECT_NE(message.find("farm 'web'"), std::string::npos) << message;
        EXPECT_NE(message.find("exists twice"), std::string::npos) << message;
    }
}

TEST_F(StateStoreTest, AFileThatCannotBeReadIsAStateError) {
    fs::create_directory(root_ / "state.json");  // exists, but is no file to read
    EXPECT_THROW(StateStore(root_).load(), StateError);
    EXPECT_TRUE(fs::is_directory(root_ / "state.json"));
}

}  // namespace
}  // namespace xdplb::state
