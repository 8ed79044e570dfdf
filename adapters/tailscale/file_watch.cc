#include "adapters/tailscale/file_watch.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <filesystem>

#include "sidecar/system/stop_event.h"

namespace peerscout::tailscale {

FileWatch::FileWatch(const std::string& path)
    : name_(std::filesystem::path(path).filename().string()) {
  inotify_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  std::filesystem::path directory = std::filesystem::path(path).parent_path();
  if (directory.empty()) directory = std::filesystem::current_path();
  constexpr uint32_t kEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM;
  if (inotify_ >= 0 && inotify_add_watch(inotify_, directory.c_str(), kEvents) < 0) {
    close(inotify_);
    inotify_ = -1;
  }
}

FileWatch::~FileWatch() {
  if (inotify_ >= 0) close(inotify_);
}

bool FileWatch::Wait(std::chrono::milliseconds timeout, std::stop_token stop) {
  const StopEvent wake(stop);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!stop.stop_requested()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    std::array<pollfd, 2> fds{pollfd{wake.fd(), POLLIN, 0}, pollfd{inotify_, POLLIN, 0}};
    if (poll(fds.data(), inotify_ >= 0 ? 2 : 1, static_cast<int>(left.count())) <= 0) continue;
    if (fds[0].revents != 0) return false;
    alignas(inotify_event) char buffer[4096];
    const ssize_t length = read(inotify_, buffer, sizeof buffer);
    bool ours = false;
    for (ssize_t at = 0; at < length;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      if (event->len > 0 && name_ == event->name) ours = true;
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
    if (ours) return true;
  }
  return false;
}

}  // namespace peerscout::tailscale
