// tailscaled's LocalAPI over its Unix socket (libcurl): the status, and the IPN bus stream
// that says when to read it again.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>

#include "sidecar/base/error_or.h"

namespace peerscout::tailscale {

// What the IPN bus stream came to.
enum class WatchEnd : uint8_t {
  kStopped,      // stop was requested
  kClosed,       // tailscaled ended it (restart, consumer fell behind): reconnect
  kUnavailable,  // refused (any answer but 200: an old or trimmed tailscaled): poll instead
  kFailed,       // no connection
};

struct WatchResult {
  WatchEnd end;
  std::string error;
};

class LocalApi {
 public:
  LocalApi(std::string socket, std::chrono::milliseconds timeout)
      : socket_(std::move(socket)), timeout_(timeout) {}

  // GET /localapi/v0/<path>: the body of a 200; any other outcome is an error that names the
  // socket and what to check. `too_large`, when given, says whether the body passed `max_bytes`.
  ErrorOr<std::string> Get(std::string_view path, size_t max_bytes,
                           bool* too_large = nullptr) const;

  // Streams /localapi/v0/watch-ipn-bus?mask=<mask>. Each message only says that something
  // changed: `on_message` runs for each one. `tick` runs after every wake-up and returns how
  // long the stream may sit idle before it runs again, so the caller debounces and reads the
  // status on this one thread.
  WatchResult Watch(uint64_t mask, std::stop_token stop, const std::function<void()>& on_message,
                    const std::function<std::chrono::milliseconds()>& tick) const;

  const std::string& socket() const { return socket_; }

 private:
  std::string socket_;
  std::chrono::milliseconds timeout_;
};

// The bits of the watch mask: NotifyInitialState (2), so a fresh stream says something at
// once, and NotifyNoPrivateKeys (16), which unprivileged readers need before v1.92. Both mean
// the same from v1.70 to today; newer bits change what the messages carry, which we ignore.
inline constexpr uint64_t kWatchMask = 2 | 16;

}  // namespace peerscout::tailscale
