#include "adapters/tailscale/command_output.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "sidecar/net/reply_text.h"
#include "sidecar/system/process_spawn.h"

namespace peerscout::tailscale {
namespace {

class Pipe {
 public:
  Pipe() {
    if (pipe2(fds_.data(), O_CLOEXEC) != 0) fds_ = {-1, -1};
  }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  bool ok() const { return fds_[0] >= 0; }
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void CloseRead() { Close(fds_[0]); }
  void CloseWrite() { Close(fds_[1]); }

 private:
  static void Close(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  std::array<int, 2> fds_{-1, -1};
};

pid_t Spawn(const std::vector<std::string>& argv, Pipe& out, Pipe& err, int& spawn_error) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write_end(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write_end(), STDERR_FILENO);
  pid_t pid = -1;
  spawn_error = SpawnProgram(argv, &actions, nullptr, /*own_process_group=*/false, pid);
  posix_spawn_file_actions_destroy(&actions);
  return spawn_error == 0 ? pid : -1;
}

}  // namespace

ErrorOr<std::string> CommandOutput(const std::vector<std::string>& argv,
                                   std::chrono::milliseconds timeout, size_t max_bytes,
                                   std::stop_token stop, bool* too_large) {
  using Result = ErrorOr<std::string>;
  if (argv.empty()) return Result::Error("empty command");
  Pipe out;
  Pipe err;
  if (!out.ok() || !err.ok()) return Result::Error(std::string("pipe: ") + std::strerror(errno));
  int spawn_error = 0;
  const pid_t pid = Spawn(argv, out, err, spawn_error);
  if (pid < 0) return Result::Error(argv[0] + ": " + std::strerror(spawn_error));
  out.CloseWrite();
  err.CloseWrite();

  CappedBody stdout_body{.text = {}, .max_bytes = max_bytes};
  std::string stderr_text;
  std::string failure;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<pollfd, 2> fds{pollfd{out.read_end(), POLLIN, 0}, pollfd{err.read_end(), POLLIN, 0}};
  while ((fds[0].fd >= 0 || fds[1].fd >= 0) && failure.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) failure = "timed out after " + std::to_string(timeout.count()) + " ms";
    if (stop.stop_requested()) failure = "stopped";
    if (!failure.empty()) break;
    // Short slices: a stop request is noticed within 100 ms.
    if (poll(fds.data(), fds.size(), static_cast<int>(std::min<int64_t>(left.count(), 100))) < 0 &&
        errno != EINTR) {
      failure = std::string("poll: ") + std::strerror(errno);
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[65536];
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        fds[i].fd = -1;
        continue;
      }
      if (i == 0 && !stdout_body.Append(buffer, static_cast<size_t>(n))) {
        failure = "printed more than " + std::to_string(max_bytes >> 20) + " MiB";
      }
      // Of standard error, only the first lines are shown.
      if (i == 1 && stderr_text.size() <= 4096) stderr_text.append(buffer, static_cast<size_t>(n));
    }
  }
  if (!failure.empty()) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (too_large != nullptr) *too_large = stdout_body.too_large;
  if (!failure.empty()) return Result::Error(argv[0] + " " + failure);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string message = argv[0] + " " + DescribeExit(status);
    if (!stderr_text.empty()) message += ": " + FirstLine(stderr_text);
    return Result::Error(message);
  }
  return std::move(stdout_body.text);
}

bool FindExecutable(const std::string& program) {
  if (program.empty()) return false;
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::stringstream directories(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string directory;
  while (std::getline(directories, directory, ':')) {
    // An empty entry is the current directory.
    const std::string candidate =
        (directory.empty() ? std::string(".") : directory) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return true;
  }
  return false;
}

}  // namespace peerscout::tailscale
