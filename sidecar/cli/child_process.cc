#include "sidecar/cli/child_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "sidecar/system/process_spawn.h"

namespace peerscout::cli {
namespace {

// What posix_spawnp and execvpe take: pointers into strings that outlive the call.
std::vector<char*> Pointers(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const std::string& text : strings) pointers.push_back(const_cast<char*>(text.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

constexpr std::pair<std::string_view, int> kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
    {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"WINCH", SIGWINCH},
};

}  // namespace

ErrorOr<pid_t> SpawnChild(const std::vector<std::string>& argv,
                          const std::vector<std::string>& environment) {
  std::vector<char*> variables = Pointers(environment);
  pid_t pid = 0;
  const int error = SpawnProgram(argv, nullptr, variables.data(), false, pid);
  if (error != 0) return ErrorOr<pid_t>::Error(argv[0] + ": " + std::strerror(error));
  return pid;
}

int ExecChild(const std::vector<std::string>& argv, const std::vector<std::string>& environment) {
  std::vector<char*> arguments = Pointers(argv);
  std::vector<char*> variables = Pointers(environment);
  ::execvpe(arguments[0], arguments.data(), variables.data());
  const int error = errno;
  std::fprintf(stderr, "peerscout exec: %s: %s\n", argv[0].c_str(), std::strerror(error));
  return error == ENOENT ? 127 : 126;
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

int ParseSignal(std::string_view text) {
  if (text.rfind("SIG", 0) == 0) text.remove_prefix(3);
  for (const auto& [name, number] : kSignals) {
    if (name == text) return number;
  }
  int number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return 0;
  return number > 0 && number < NSIG ? number : 0;
}

}  // namespace peerscout::cli
