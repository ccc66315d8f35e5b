#include "daemon/instance_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace xdplb::daemon {

namespace {

// The state file holds the whole configuration: root's alone.
void create_state_dir(const std::filesystem::path& state_dir) {
    // A parent that cannot be created makes mkdir fail below, and say why.
    std::error_code ignored;
    if (state_dir.has_parent_path()) std::filesystem::create_directories(state_dir.parent_path(), ignored);
    if (::mkdir(state_dir.c_str(), 0700) != 0 && errno != EEXIST) {
        throw InstanceLockError("cannot create state dir " + state_dir.string() + ": " + std::strerror(errno));
    }
}

}  // namespace

InstanceLock::InstanceLock(const std::filesystem::path& state_dir) {
    create_state_dir(state_dir);
    const std::filesystem::path lock_file = state_dir / "lbd.lock";
    fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw InstanceLockError("cannot open " + lock_file.string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    const int error = errno;
    ::close(fd_);
    if (error == EWOULDBLOCK) {
        throw InstanceLockError("another lbd is running with state dir " + state_dir.string());
    }
    throw InstanceLockError("cannot lock " + lock_file.string() + ": " + std::strerror(error));
}

InstanceLock::~InstanceLock() { ::close(fd_); }

}  // namespace xdplb::daemon
