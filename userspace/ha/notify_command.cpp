#include "ha/notify_command.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <spdlog/spdlog.h>

#include "common/shell_command.hpp"

namespace xdplb::ha {

void run_notify_command(boost::asio::io_context& io, const std::string& command,
                        const std::vector<std::string>& arguments) {
    const pid_t pid = spawn_shell(command, arguments);
    if (pid < 0) {
        spdlog::warn("VRRP: cannot run the notify command: {}", std::strerror(errno));
        return;
    }
    const int pidfd = open_pidfd(pid);
    if (pidfd < 0) {
        // Without a way to wait on the loop, wait here: lbd must not leave zombies.
        spdlog::warn("VRRP: cannot watch the notify command ({}); waiting for it", std::strerror(errno));
        ::waitpid(pid, nullptr, 0);
        return;
    }
    auto exited = std::make_shared<boost::asio::posix::stream_descriptor>(io, pidfd);
    exited->async_wait(boost::asio::posix::descriptor_base::wait_read, [exited, pid, command](auto) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            spdlog::warn("VRRP: notify command '{}' failed (status {})", command, status);
        }
    });
}

}  // namespace xdplb::ha
