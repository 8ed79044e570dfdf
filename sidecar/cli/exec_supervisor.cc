#include "sidecar/cli/exec_supervisor.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

#include "sidecar/cli/child_process.h"

namespace peerscout::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Passed on to the app; SIGINT, SIGQUIT and SIGTERM also mean no more restarts.
constexpr int kForwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};

bool EndsTheApp(int signal) { return signal == SIGINT || signal == SIGQUIT || signal == SIGTERM; }

sigset_t SupervisedSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGCHLD);
  for (int signal : kForwarded) sigaddset(&signals, signal);
  return signals;
}

// The newest list the watch thread has read, handed over through an eventfd.
class LatestList {
 public:
  LatestList() : event_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
  int fd() const { return event_; }

  void Offer(ListValues list) {
    {
      std::lock_guard lock(mutex_);
      latest_ = std::move(list);
    }
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t written = ::write(event_, &one, sizeof one);
  }

  std::optional<ListValues> Take() {
    uint64_t count = 0;
    [[maybe_unused]] ssize_t read = ::read(event_, &count, sizeof count);
    std::lock_guard lock(mutex_);
    return std::exchange(latest_, std::nullopt);
  }

 private:
  int event_;
  std::mutex mutex_;
  std::optional<ListValues> latest_;
};

// Follows the list with blocking queries and offers each new version's values. It runs until
// the process ends: a query in flight is not worth waiting for when the app has exited.
void WatchList(const std::string& socket, const std::vector<EnvSpec>& specs, uint64_t version,
               LatestList& latest) {
  while (true) {
    auto changed = WaitForChange(socket, version, std::chrono::seconds(60));
    if (!changed) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (*changed == version) continue;
    auto list = FetchValues(socket, specs);
    if (!list) {
      std::fprintf(stderr, "peerscout exec: reading the peer list: %s\n", list.error().c_str());
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    version = list->version;
    latest.Offer(std::move(list).value());
  }
}

class Supervisor {
 public:
  Supervisor(const std::vector<std::string>& command, const EnvironmentFor& environment,
             const SupervisorOptions& options)
      : command_(command),
        environment_(environment),
        options_(options),
        debounce_(options.wait_min, options.wait_max) {}

  // Starts the app; an exit code when it could not be.
  std::optional<int> Start(const ListValues& list) {
    auto pid = SpawnChild(command_, environment_(list.values));
    if (!pid) {
      std::fprintf(stderr, "peerscout exec: %s\n", pid.error().c_str());
      return 127;
    }
    child_ = *pid;
    running_ = list;
    latest_ = list;
    return std::nullopt;
  }

  int Loop(int signal_fd, LatestList& latest) {
    while (true) {
      pollfd fds[2] = {{signal_fd, POLLIN, 0}, {latest.fd(), POLLIN, 0}};
      ::poll(fds, 2, PollTimeout());
      if (fds[1].revents & POLLIN) OnList(latest.Take());
      if (fds[0].revents & POLLIN) {
        signalfd_siginfo info{};
        if (::read(signal_fd, &info, sizeof info) == sizeof info) {
          if (auto code = OnSignal(static_cast<int>(info.ssi_signo))) return *code;
        }
      }
      OnTime();
    }
  }

 private:
  int PollTimeout() const {
    std::optional<Clock::time_point> next = debounce_.Due();
    if (kill_at_ && (!next || *kill_at_ < *next)) next = kill_at_;
    if (!next) return -1;
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now());
    return static_cast<int>(std::max<int64_t>(0, wait.count()));
  }

  void OnList(std::optional<ListValues> list) {
    if (!list || ending_) return;
    latest_ = std::move(*list);
    if (WarrantsRestart(options_.restart, running_.values, latest_.values)) {
      debounce_.Change(Clock::now());
    }
  }

  void OnTime() {
    const auto now = Clock::now();
    if (kill_at_ && now >= *kill_at_) {
      std::fprintf(stderr, "peerscout exec: the app outlived --kill-timeout; sending SIGKILL\n");
      ::kill(child_, SIGKILL);
      kill_at_.reset();
    }
    const auto due = debounce_.Due();
    if (!due || now < *due) return;
    debounce_.Clear();
    // A change undone within the debounce is no change.
    if (stopping_ || !WarrantsRestart(options_.restart, running_.values, latest_.values)) return;
    std::fprintf(stderr, "peerscout exec: peer list version %llu; restarting the app\n",
                 static_cast<unsigned long long>(latest_.version));
    stopping_ = true;
    ::kill(child_, options_.kill_signal);
    kill_at_ = now + options_.kill_timeout;
  }

  // An exit code when we are done.
  std::optional<int> OnSignal(int signal) {
    if (signal != SIGCHLD) {
      ::kill(child_, signal);
      if (EndsTheApp(signal)) ending_ = true;
      return std::nullopt;
    }
    int status = 0;
    if (::waitpid(child_, &status, WNOHANG) != child_) return std::nullopt;
    kill_at_.reset();
    if (!stopping_ || ending_) return ExitCodeOf(status);
    stopping_ = false;
    return Start(latest_);
  }

  const std::vector<std::string>& command_;
  const EnvironmentFor& environment_;
  SupervisorOptions options_;
  Debounce debounce_;
  pid_t child_ = 0;
  ListValues running_;
  ListValues latest_;
  bool stopping_ = false;  // a restart: the app was told to stop and will be started again
  bool ending_ = false;    // a signal told the app to end: no more restarts
  std::optional<Clock::time_point> kill_at_;
};

}  // namespace

int Supervise(const std::string& socket, const std::vector<EnvSpec>& specs,
              const std::vector<std::string>& command, const EnvironmentFor& environment,
              const SupervisorOptions& options, ListValues first) {
  // Blocked before the watch thread exists, so it inherits the mask and only signalfd sees them.
  const sigset_t signals = SupervisedSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  const int signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  Supervisor supervisor(command, environment, options);
  if (auto failed = supervisor.Start(first)) return *failed;
  static LatestList latest;  // outlives the detached watch thread
  std::thread(WatchList, socket, specs, first.version, std::ref(latest)).detach();
  return supervisor.Loop(signal_fd, latest);
}

}  // namespace peerscout::cli
