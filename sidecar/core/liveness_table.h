// Which app endpoints to probe when, and what the probes found: the pure half of [liveness].
// A refused connection is an answer (the port is closed) and counts at once; a timeout or
// another error may be a lost packet, so it takes `misses_to_unreachable` in a row. Time is an
// argument, so it is tested without sockets or clocks.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "sidecar/core/peer.h"
#include "sidecar/core/probe_rate.h"
#include "sidecar/core/reachability.h"

namespace peerscout {

struct LivenessCadence {
  std::chrono::nanoseconds interval = std::chrono::seconds(10);  // between probes of one endpoint
  std::chrono::nanoseconds timeout = std::chrono::seconds(2);    // a probe unanswered this long
  uint32_t per_second = 20;  // probes started, all endpoints together
  uint32_t misses_to_unreachable = 2;

  bool operator==(const LivenessCadence&) const = default;
};

enum class ProbeOutcome : uint8_t { kAnswered, kRefused, kTimedOut, kFailed };
std::string_view ProbeOutcomeName(ProbeOutcome outcome);

// What [liveness] probes: the TCP endpoints with an IP that sources reported for peers (never
// a name: resolving is a source's job), except those a source already reached itself (exo).
std::vector<Endpoint> ProbeTargets(const PeerSet& peers);

class LivenessTable {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  explicit LivenessTable(LivenessCadence cadence) : cadence_(cadence), rate_(cadence.per_second) {}

  // The endpoints worth probing now; the others are forgotten, with what was found there.
  // True when that dropped a finding.
  bool SetTargets(const std::vector<Endpoint>& targets);
  // The probes to start now, new endpoints first, as many as the rate allows and at most
  // `limit`. Each is in flight until its Record.
  std::vector<Endpoint> Due(TimePoint now, size_t limit = SIZE_MAX);
  // What a probe found. True when the endpoint's reachability changed.
  bool Record(const Endpoint& endpoint, ProbeOutcome outcome, std::chrono::microseconds round_trip,
              TimePoint now);

  const ReachabilityMap& reachability() const { return reachability_; }
  size_t targets() const { return entries_.size(); }
  // When Due next has work; nullopt: nothing to probe.
  std::optional<TimePoint> NextDeadline() const;

 private:
  struct Entry {
    std::optional<TimePoint> next_probe;  // empty: at once
    bool in_flight = false;
    uint32_t misses = 0;
  };
  bool Mark(const Endpoint& endpoint, bool reachable, std::chrono::microseconds round_trip,
            TimePoint now);

  LivenessCadence cadence_;
  ProbeRate rate_;
  std::map<Endpoint, Entry> entries_;
  ReachabilityMap reachability_;
};

}  // namespace peerscout
