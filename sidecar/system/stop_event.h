// A file descriptor that becomes readable when a stop is requested: how a source waiting in
// poll() on its own sockets or inotify hears stop at once.
#pragma once

#include <functional>
#include <optional>
#include <stop_token>

namespace peerscout {

class StopEvent {
 public:
  explicit StopEvent(std::stop_token stop);
  ~StopEvent();
  StopEvent(const StopEvent&) = delete;
  StopEvent& operator=(const StopEvent&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
  // After fd_: it may run at once. Ended before fd_ is closed, since a stop requested on
  // another thread may be writing to fd_ right then; ending it waits for that write.
  std::optional<std::stop_callback<std::function<void()>>> callback_;
};

}  // namespace peerscout
