#include "daemon/instance_lock.hpp"

#include <gtest/gtest.h>

#include "temp_directory.hpp"
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace xdplb::daemon {
namespace {

namespace fs = std::filesystem;

class InstanceLockTest : public ::testing::Test {
protected:
    void SetUp() override { state_dir_ = root_ / "var" / "lib" / "xdplb"; }

    // The message of the InstanceLockError that taking the lock causes, or "" if none.
    std::string lock_error() const {
        try {
            InstanceLock lock(state_dir_);
        } catch (const InstanceLockError& error) {
            return error.what();
        }
        return "";
    }

    testing::TempDirectory temp_{"lock-test"};
    const fs::path& root_ = temp_.path();
    fs::path state_dir_;
};

TEST_F(InstanceLockTest, CreatesTheStateDirectoryForRootAlone) {
    InstanceLock lock(state_dir_);
    struct stat status {};
    ASSERT_EQ(::stat(state_dir_.c_str(), &status), 0);
    EXPECT_TRUE(S_ISDIR(status.st_mode));
    EXPECT_EQ(status.st_mode & 0777, 0700u);
    EXPECT_TRUE(fs::exists(state_dir_ / "lbd.lock"));
}

TEST_F(InstanceLockTest, RefusesASecondLockOnTheSameStateDirectory) {
    InstanceLock first(state_dir_);
    EXPECT_EQ(lock_error(), "another lbd is running with state dir " + state_dir_.string());
}

TEST_F(InstanceLockTest, IsFreeAgainOnceReleased) {
    auto first = std::make_unique<InstanceLock>(state_dir_);
    first.reset();
    EXPECT_EQ(lock_error(), "");
}

TEST_F(InstanceLockTest, LocksEachStateDirectoryOnItsOwn) {
    InstanceLock first(state_dir_);
    EXPECT_NO_THROW(InstanceLock other(root_ / "other"));
}

TEST_F(InstanceLockTest, SaysWhyTheStateDirectoryCannotBeCreated) {
    fs::create_directories(root_ / "var");
    { std::ofstream(root_ / "var" / "lib") << "a file, not a directory\n"; }
    EXPECT_NE(lock_error().find("cannot create state dir " + state_dir_.string()), std::string::npos)
        << lock_error();
}

}  // namespace
}  // namespace xdplb::daemon
