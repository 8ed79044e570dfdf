#include "sidecar/system/process_spawn.h"

#include <signal.h>
#include <sys/wait.h>

extern char** environ;

namespace peerscout {

int SpawnProgram(const std::vector<std::string>& argv, const posix_spawn_file_actions_t* actions,
                 char* const* environment, bool own_process_group, pid_t& pid) {
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (own_process_group) {
    posix_spawnattr_setpgroup(&attributes, 0);
    flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&attributes, flags);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const int error = posix_spawnp(&pid, args[0], actions, &attributes, args.data(),
                                 environment != nullptr ? environment : environ);
  posix_spawnattr_destroy(&attributes);
  return error;
}

std::string DescribeExit(int wait_status) {
  if (WIFEXITED(wait_status)) return "exited " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) return "killed by signal " + std::to_string(WTERMSIG(wait_status));
  return "ended";
}

}  // namespace peerscout
