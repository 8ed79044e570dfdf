#include "sidecar/runtime/timed_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sidecar/net/text_check.h"
#include "sidecar/system/process_spawn.h"

namespace peerscout {
namespace {

// Between SIGTERM and SIGKILL: time for a reload script to finish what it is writing.
constexpr auto kKillGrace = std::chrono::seconds(2);
// How often a running command is checked for exit, timeout and stop requests.
constexpr int kSliceMs = 50;

// The child's stdout and stderr both go to `output`, and it leads a process group of its own.
pid_t Spawn(const std::vector<std::string>& argv, int output, int& spawn_error) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, output, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output, STDERR_FILENO);
  pid_t pid = -1;
  spawn_error = SpawnProgram(argv, &actions, nullptr, /*own_process_group=*/true, pid);
  posix_spawn_file_actions_destroy(&actions);
  return spawn_error == 0 ? pid : -1;
}

// Appends to a tail that never holds more than twice `limit`, trimmed to `limit` at the end.
void AppendTail(std::string& tail, const char* bytes, size_t size, size_t limit) {
  tail.append(bytes, size);
  if (tail.size() > 2 * limit) tail.erase(0, tail.size() - limit);
}

enum class ReadOutcome { kRead, kNothingYet, kEnd };

ReadOutcome ReadSome(int fd, std::string& tail, size_t limit) {
  char buffer[4096];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return ReadOutcome::kNothingYet;
  if (n <= 0) return ReadOutcome::kEnd;
  AppendTail(tail, buffer, static_cast<size_t>(n), limit);
  return ReadOutcome::kRead;
}

// The API serves the tail as JSON text: it starts on a character, and a command that printed
// something other than UTF-8 has its other bytes shown as '?'.
std::string Printable(std::string tail, size_t limit) {
  if (tail.size() > limit) tail.erase(0, tail.size() - limit);
  size_t start = 0;
  while (start < tail.size() && start < 3 &&
         (static_cast<unsigned char>(tail[start]) & 0xC0) == 0x80)
    ++start;
  tail.erase(0, start);
  if (!IsValidUtf8(tail)) {
    for (char& c : tail) {
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
    }
  }
  return tail;
}

}  // namespace

CommandResult RunTimedCommand(const std::vector<std::string>& argv, Duration timeout,
                              std::stop_token stop, size_t tail_bytes) {
  CommandResult result;
  if (argv.empty()) {
    result.status = "could not start: empty command";
    return result;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    result.status = std::string("could not start: pipe: ") + std::strerror(errno);
    return result;
  }
  int spawn_error = 0;
  const pid_t pid = Spawn(argv, fds[1], spawn_error);
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    result.status = "could not start: " + std::string(std::strerror(spawn_error));
    return result;
  }
  int output = fds[0];
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<std::chrono::steady_clock::time_point> kill_at;
  bool killed = false;
  bool timed_out = false;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) != pid) {
    const auto now = std::chrono::steady_clock::now();
    if (!kill_at && (now >= deadline || stop.stop_requested())) {
      timed_out = now >= deadline;
      ::kill(-pid, SIGTERM);
      kill_at = now + kKillGrace;
    } else if (kill_at && !killed && now >= *kill_at) {
      ::kill(-pid, SIGKILL);
      killed = true;
    }
    pollfd ready{output, POLLIN, 0};
    if (::poll(&ready, output >= 0 ? 1 : 0, kSliceMs) > 0 &&
        ReadSome(output, result.output_tail, tail_bytes) == ReadOutcome::kEnd) {
      ::close(output);
      output = -1;
    }
  }
  // What is left, without waiting for a background child that still holds the pipe.
  if (output >= 0) {
    ::fcntl(output, F_SETFL, O_NONBLOCK);
    while (ReadSome(output, result.output_tail, tail_bytes) == ReadOutcome::kRead) {
    }
    ::close(output);
  }
  result.output_tail = Printable(std::move(result.output_tail), tail_bytes);
  if (timed_out) {
    result.status = "timed out after " + FormatDuration(timeout);
  } else if (kill_at) {
    result.status = "stopped";
  } else {
    result.status = DescribeExit(status);
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    result.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return result;
}

}  // namespace peerscout
