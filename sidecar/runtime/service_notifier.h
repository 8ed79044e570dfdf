// What the service manager is told about our state: systemd's notification socket under a
// Type=notify unit, nothing elsewhere. Called from the sidecar's main thread only.
#pragma once

#include <memory>
#include <string>

#include "sidecar/config/environment.h"

namespace peerscout {

class ServiceNotifier {
 public:
  virtual ~ServiceNotifier() = default;
  // Serving, with the first output files written (systemd starts what is ordered after us).
  virtual void Ready() = 0;
  // A reload has begun; Ready() ends it.
  virtual void Reloading() = 0;
  virtual void Stopping() = 0;
  // A line shown beside the unit; repeats of the last line are not sent again.
  virtual void Status(const std::string& line) = 0;
};

// sd_notify when NOTIFY_SOCKET is set in `env`, else a notifier that does nothing.
std::unique_ptr<ServiceNotifier> SystemdNotifier(const Environment& env);

}  // namespace peerscout
