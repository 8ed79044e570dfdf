// Starting a program as our child, one way for every caller (the tailscale cli mode, template
// commands, peerscout exec): argv[0] searched in PATH, nothing blocked and every signal at its
// default, whatever the sidecar blocks or ignores in its own threads.
#pragma once

#include <spawn.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace peerscout {

// 0, with `pid` set, or the errno of the failure. `actions` (may be null) sets up the child's
// descriptors; `environment` is environ when null.
int SpawnProgram(const std::vector<std::string>& argv, const posix_spawn_file_actions_t* actions,
                 char* const* environment, bool own_process_group, pid_t& pid);

// A waitpid status as people read it: "exited 3", "killed by signal 9".
std::string DescribeExit(int wait_status);

}  // namespace peerscout
