// Starting a command with /bin/sh, as health checks and VRRP notifications do:
// stdin, stdout and stderr on /dev/null (lbd's log is not the command's), in a
// process group of its own so that a timeout can kill the whole group.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace xdplb {

// Runs /bin/sh -c COMMAND NAME ARGUMENTS...: the arguments reach the command
// as $1... and are never parsed by the shell, whatever they hold. Returns the
// pid, or -1 with errno set.
pid_t spawn_shell(const std::string& command, const std::vector<std::string>& arguments = {});

// A pidfd for `pid`, readable when it exits; -1 with errno set.
int open_pidfd(pid_t pid);

}  // namespace xdplb
