// One lbd per state directory: a second lbd would fight the first over the
// same interfaces, maps and state file.
#pragma once

#include <filesystem>
#include <stdexcept>

namespace xdplb::daemon {

class InstanceLockError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Holds an exclusive flock on DIR/lbd.lock for its lifetime, creating DIR
// (mode 0700) when needed. The kernel releases the lock when the process
// ends, however it ends, so a killed lbd never leaves a stale lock behind.
class InstanceLock {
public:
    // Throws InstanceLockError: "another lbd is running with state dir DIR"
    // when the lock is held, or why the lock file cannot be opened.
    explicit InstanceLock(const std::filesystem::path& state_dir);
    ~InstanceLock();
    InstanceLock(const InstanceLock&) = delete;
    InstanceLock& operator=(const InstanceLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace xdplb::daemon
