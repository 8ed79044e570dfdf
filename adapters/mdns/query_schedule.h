// When to ask the LAN for libp2p peers: a quick few at start (1 s, then doubling, as RFC 6762
// §5.2 asks of continuous queriers), then every interval; sooner when another node is
// querying, since that is a node that just started and will answer us.
#pragma once

#include <chrono>

#include "sidecar/core/observation.h"

namespace peerscout::mdns {

class QuerySchedule {
 public:
  QuerySchedule(std::chrono::nanoseconds interval, Clock::time_point start)
      : interval_(interval), next_(start) {}

  Clock::time_point next() const { return next_; }
  void Sent(Clock::time_point now);
  // Ask again soon, but never within a second of our last query.
  void Hurry(Clock::time_point now);

  static constexpr std::chrono::seconds kMinimumGap{1};

 private:
  std::chrono::nanoseconds interval_;
  std::chrono::nanoseconds gap_{kMinimumGap};
  Clock::time_point next_;
  Clock::time_point last_{};
};

}  // namespace peerscout::mdns
