// TCP connects in flight for [liveness]: each started without blocking, finished by poll(),
// and closed at once, so an app sees a connection open and close and nothing else.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "sidecar/core/liveness_table.h"

namespace peerscout {

class ConnectProbes {
 public:
  using Steady = std::chrono::steady_clock;

  struct Finished {
    Endpoint endpoint;
    ProbeOutcome outcome = ProbeOutcome::kFailed;
    std::chrono::microseconds round_trip{0};
    std::string error;  // why, for kFailed: the errno's text
  };

  explicit ConnectProbes(std::chrono::nanoseconds timeout) : timeout_(timeout) {}
  ~ConnectProbes();
  ConnectProbes(const ConnectProbes&) = delete;
  ConnectProbes& operator=(const ConnectProbes&) = delete;

  // Starts a connect to an IP endpoint. One the kernel refuses at once (no route, a closed
  // port on this host) is finished by the next Poll.
  void Start(const Endpoint& endpoint);
  // Waits up to `wait`, or until `wake_fd` is readable, and returns the probes that finished,
  // the ones past the timeout included.
  std::vector<Finished> Poll(std::chrono::milliseconds wait, int wake_fd);
  size_t in_flight() const { return in_flight_.size(); }
  // When the oldest probe in flight times out; Steady::time_point::max() when none is.
  Steady::time_point NextTimeout() const;

 private:
  struct InFlight {
    Endpoint endpoint;
    int fd = -1;
    Steady::time_point started;
  };
  void Finish(InFlight& probe, ProbeOutcome outcome, int error, Steady::time_point now);

  std::chrono::nanoseconds timeout_;
  std::vector<InFlight> in_flight_;
  std::vector<Finished> finished_;
};

}  // namespace peerscout
