// The notify command gets the transition as arguments, which the shell never parses.
#include "ha/notify_command.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include <boost/asio/io_context.hpp>

#include "temp_directory.hpp"

namespace xdplb::ha {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

TEST(NotifyCommand, ArgumentsReachTheCommandVerbatimAndUnparsed) {
    testing::TempDirectory directory("notify");
    const auto out = directory.path() / "out";
    const auto planted = directory.path() / "planted";
    boost::asio::io_context io;
    const std::string injection = "$(touch " + planted.string() + "); touch " + planted.string();
    run_notify_command(io, "printf '%s|' \"$@\" > " + out.string(), {"master", injection, "51"});
    io.run();  // returns once the command has exited and been reaped
    EXPECT_EQ(read_file(out), "master|" + injection + "|51|");
    EXPECT_FALSE(std::filesystem::exists(planted));
}

TEST(NotifyCommand, AFailingCommandIsReapedToo) {
    boost::asio::io_context io;
    run_notify_command(io, "exit 3", {"backup"});
    io.run();
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1) << "no child left, not even a zombie";
}

}  // namespace
}  // namespace xdplb::ha
