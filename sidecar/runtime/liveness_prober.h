// [liveness]: a thread that probes the app endpoints of the merged list with TCP connects, at
// a bounded rate and with a timeout, and tells the registry what answers. Only addresses a
// source reported are probed, and only while [liveness] is on.
#pragma once

#include <memory>
#include <thread>

#include "sidecar/core/liveness_table.h"
#include "sidecar/core/registry.h"
#include "sidecar/server/telemetry.h"

namespace peerscout {

class LivenessProber {
 public:
  LivenessProber(Registry& registry, Telemetry& telemetry, LivenessCadence cadence);
  ~LivenessProber();  // stops the thread; the registry keeps its last findings
  LivenessProber(const LivenessProber&) = delete;
  LivenessProber& operator=(const LivenessProber&) = delete;

 private:
  void Run(std::stop_token stop);

  Registry& registry_;
  Telemetry& telemetry_;
  LivenessCadence cadence_;
  std::jthread thread_;
};

}  // namespace peerscout
