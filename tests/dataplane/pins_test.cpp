// The pinned maps: a second program on the same pin dir works on the first
// one's maps, maps that would not fit it are refused before it loads, and
// removing the pins lets the next program start afresh. On a bpffs mounted
// for the test alone.

#include <sys/mount.h>

#include <gtest/gtest.h>

#include <bpf/bpf.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "dataplane/pins.hpp"
#include "dataplane/program.hpp"

namespace xdplb::testing {
namespace {

constexpr std::uint32_t kConntrackSize = 4096;

__u32 map_id(const dataplane::Program& program, const char* name) {
    bpf_map_info info{};
    __u32 length = sizeof(info);
    EXPECT_EQ(bpf_obj_get_info_by_fd(program.map_fd(name), &info, &length), 0);
    return info.id;
}

// What Program::attach throws for `program` on `pins`, or "".
std::string refusal_of(dataplane::Program& program, const dataplane::Pins& pins) {
    try {
        program.attach({}, pins);
    } catch (const dataplane::DataPlaneError& error) {
        return error.what();
    }
    return "";
}

class Pins : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (std::filesystem::temp_directory_path() / "xdplb-pins.XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        bpffs_ = pattern;
        ASSERT_EQ(::mount("bpf", bpffs_.c_str(), "bpf", 0, nullptr), 0) << "mounting a bpffs needs root";
        mounted_ = true;
    }
    void TearDown() override {
        if (mounted_) ::umount2(bpffs_.c_str(), MNT_DETACH);
        std::filesystem::remove(bpffs_);
    }

    std::filesystem::path bpffs_;
    bool mounted_ = false;
};

TEST_F(Pins, ASecondProgramWorksOnTheFirstOnesMaps) {
    const dataplane::Pins pins(bpffs_ / "xdplb");
    dataplane::Program first(kConntrackSize);
    first.attach({}, pins);
    EXPECT_FALSE(first.reused_maps());
    EXPECT_TRUE(std::filesystem::exists(bpffs_ / "xdplb/abi-1/conntrack"));

    dataplane::Program second(kConntrackSize);
    second.attach({}, pins);
    EXPECT_TRUE(second.reused_maps());
    for (const char* name : {"conntrack", "conntrack_halfopen", "farms", "backends", "settings"}) {
        EXPECT_EQ(map_id(second, name), map_id(first, name)) << name;
    }
}

TEST_F(Pins, RefusesPinnedMapsOfOtherSizesBeforeLoading) {
    const dataplane::Pins pins(bpffs_ / "xdplb");
    dataplane::Program first(kConntrackSize);
    first.attach({}, pins);

    dataplane::Program bigger(2 * kConntrackSize);
    const std::string refusal = refusal_of(bigger, pins);
    EXPECT_NE(refusal.find("abi-1/conntrack does not fit this program (max entries 4096, this program needs 8192)"),
              std::string::npos)
        << refusal;
    EXPECT_LT(bigger.program_fd(), 0) << "loaded although refused";
}

TEST_F(Pins, RefusesMapsOfAnotherLayoutVersion) {
    const dataplane::Pins pins(bpffs_ / "xdplb");
    std::filesystem::create_directories(bpffs_ / "xdplb/abi-0");
    dataplane::Program program(kConntrackSize);
    const std::string refusal = refusal_of(program, pins);
    EXPECT_NE(refusal.find("has map layout abi-0, this lbd abi-1: it cannot adopt it"), std::string::npos) << refusal;
}

TEST_F(Pins, AfterRemovalTheNextProgramStartsAfresh) {
    const dataplane::Pins pins(bpffs_ / "xdplb");
    dataplane::Program first(kConntrackSize);
    first.attach({}, pins);
    pins.remove();
    EXPECT_FALSE(std::filesystem::exists(bpffs_ / "xdplb"));

    dataplane::Program second(kConntrackSize);
    second.attach({}, pins);
    EXPECT_FALSE(second.reused_maps());
    EXPECT_NE(map_id(second, "conntrack"), map_id(first, "conntrack"));
}

}  // namespace
}  // namespace xdplb::testing
