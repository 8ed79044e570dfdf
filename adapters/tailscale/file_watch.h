// Waits for a file to change (inotify on its directory, so a replace by rename is seen), or
// for a timeout or a stop request: the file mode's trigger.
#pragma once

#include <chrono>
#include <stop_token>
#include <string>

namespace peerscout::tailscale {

class FileWatch {
 public:
  explicit FileWatch(const std::string& path);
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  // True when the file was written, created, replaced or removed; false on timeout or stop.
  // Without inotify (an error at construction) this only waits: the caller polls.
  bool Wait(std::chrono::milliseconds timeout, std::stop_token stop);

 private:
  std::string name_;
  int inotify_ = -1;
};

}  // namespace peerscout::tailscale
