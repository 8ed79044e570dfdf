#include "sidecar/system/stop_event.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace peerscout {

StopEvent::StopEvent(std::stop_token stop) : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  callback_.emplace(std::move(stop), [this] {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = write(fd_, &one, sizeof one);
  });
}

StopEvent::~StopEvent() {
  callback_.reset();
  close(fd_);
}

}  // namespace peerscout
