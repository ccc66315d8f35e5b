#include "api/api_key.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "temp_directory.hpp"

namespace xdplb::api {
namespace {

namespace fs = std::filesystem;

class ApiKeyTest : public ::testing::Test {
protected:
    fs::path key_file(const std::string& content, fs::perms permissions = fs::perms::owner_read | fs::perms::owner_write) {
        const fs::path path = temp_.path() / "api.key";
        { std::ofstream(path) << content; }
        fs::permissions(path, permissions);
        return path;
    }

    // The message of the ApiKeyError that reading `path` causes, or "" if none.
    static std::string error_of(const fs::path& path) {
        try {
            ApiKey::from_file(path);
        } catch (const ApiKeyError& error) {
            return error.what();
        }
        return "";
    }

    testing::TempDirectory temp_{"api-key-test"};
};

TEST_F(ApiKeyTest, TheKeyIsTheFirstLine) {
    EXPECT_EQ(ApiKey::from_file(key_file("0123456789abcdef\nsecond line\n")).text(), "0123456789abcdef");
    EXPECT_EQ(ApiKey::from_file(key_file("0123456789abcdef", fs::perms::owner_read)).text(), "0123456789abcdef");
}

TEST_F(ApiKeyTest, RefusesAFileItsGroupOrOthersMayRead) {
    const fs::path path = key_file("0123456789abcdef\n", fs::perms::owner_read | fs::perms::owner_write |
                                                             fs::perms::group_read | fs::perms::others_read);
    EXPECT_EQ(error_of(path), "API key file " + path.string() + " has mode 0644: its group or others may use it; chmod 600 it");
    EXPECT_NE(error_of(key_file("0123456789abcdef\n", fs::perms::owner_all | fs::perms::group_exec)), "");
}

TEST_F(ApiKeyTest, RefusesShortKeysAndKeysThatWouldNotTravelIntact) {
    EXPECT_NE(error_of(key_file("0123456789abcde\n")).find("the key has 15 characters, at least 16 are needed"),
              std::string::npos);
    EXPECT_NE(error_of(key_file("")).find("empty"), std::string::npos);
    EXPECT_NE(error_of(key_file("0123456789 abcdef\n")).find("printable ASCII without spaces"), std::string::npos);
    EXPECT_NE(error_of(key_file("0123456789abcdef\xc3\xa9\n")).find("printable ASCII"), std::string::npos);
}

TEST_F(ApiKeyTest, RefusesWhatIsNotARegularFile) {
    EXPECT_EQ(error_of(temp_.path()), "API key file " + temp_.path().string() + " is not a regular file");
    EXPECT_NE(error_of(temp_.path() / "missing").find("cannot read API key file"), std::string::npos);
}

TEST_F(ApiKeyTest, MatchesTheKeyAlone) {
    const ApiKey key = ApiKey::from_file(key_file("0123456789abcdef\n"));
    EXPECT_TRUE(key.matches("0123456789abcdef"));
    for (const char* other : {"0123456789abcdeF", "0123456789abcde", "0123456789abcdef0", "", "0123456789abcdef\n"}) {
        EXPECT_FALSE(key.matches(other)) << other;
    }
}

}  // namespace
}  // namespace xdplb::api
