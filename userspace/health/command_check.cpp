#include "health/command_check.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/posix/stream_descriptor.hpp>

#include "common/shell_command.hpp"

namespace xdplb::health {

namespace {

namespace asio = boost::asio;

std::string exit_reason(int status) {
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
    return "ended with status " + std::to_string(status);
}

class CommandCheck : public CheckOperation {
public:
    CommandCheck(asio::io_context& io, const model::HealthCheck& check, CheckDone done)
        : CheckOperation(io, check.timeout, std::move(done)), command_(check.command), exited_(io) {}

private:
    void begin() override {
        set_step("running the command");
        pid_ = spawn_shell(command_);
        if (pid_ < 0) return fail(std::string("cannot start /bin/sh: ") + std::strerror(errno));
        const int pidfd = open_pidfd(pid_);
        if (pidfd < 0) {
            const std::string problem = std::strerror(errno);
            abandon();
            waitpid(pid_, nullptr, 0);
            return fail("cannot watch the command: " + problem);
        }
        exited_.assign(pidfd);
        // Also after a timeout: the killed process is reaped when it has gone.
        exited_.async_wait(asio::posix::descriptor_base::wait_read, [this, self = shared_from_this()](auto) {
            int status = 0;
            const bool reaped = waitpid(pid_, &status, WNOHANG) == pid_;
            if (reaped) pid_ = -1;  // its number may go to another process now
            exited_.close();
            if (finished()) return;
            if (!reaped) return fail("lost track of the command");
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return succeed("exit status 0");
            fail(exit_reason(status));
        });
    }

    // The whole group: a shell's children too.
    void abandon() override {
        if (pid_ > 0) kill(-pid_, SIGKILL);
    }

    std::string command_;
    asio::posix::stream_descriptor exited_;
    pid_t pid_ = -1;
};

}  // namespace

void run_command_check(asio::io_context& io, const model::HealthCheck& check, CheckDone done) {
    launch<CommandCheck>(io, check, std::move(done));
}

}  // namespace xdplb::health
