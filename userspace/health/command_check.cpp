#include "health/command_check.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/posix/stream_descriptor.hpp>

extern char** environ;

namespace xdplb::health {

namespace {

namespace asio = boost::asio;

// The command's stdin, stdout and stderr are /dev/null: lbd's log is not its.
pid_t spawn_shell(const std::string& command) {
    posix_spawn_file_actions_t files;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&files);
    for (int fd : {0, 1, 2}) posix_spawn_file_actions_addopen(&files, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setpgroup(&attributes, 0);
    // lbd's handled signals must not stay blocked or ignored in the child.
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    pid_t pid = -1;
    const int error = posix_spawn(&pid, "/bin/sh", &files, &attributes, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&files);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
        errno = error;
        return -1;
    }
    return pid;
}

// Debian 12's glibc declares pidfd_open without C linkage for C++: the system call itself.
int open_pidfd(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

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
