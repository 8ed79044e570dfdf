// What a source hands the registry each round: everything it sees now, complete.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sidecar/core/observation.h"
#include "sidecar/core/self_identity.h"

namespace peerscout {

// A non-fatal problem with part of a source's input: one bad entry, one name that does not
// resolve. Reported in /v1/sources and the log; the rest of the snapshot still counts.
struct SourceIssue {
  std::string subject;  // the offending entry as given (escaped when shown)
  std::string origin;   // where it came from: "EXO_BOOTSTRAP_PEERS entry 3", "sidecar.toml:40"
  std::string reason;
  bool operator==(const SourceIssue&) const = default;
};

struct Snapshot {
  std::vector<Observation> observations;
  std::vector<SourceIssue> issues;
  // What this source learned about our own node (tailscaled's Self, the local app's mDNS).
  SelfIdentity self;
  // How the source looked, for /v1/sources: {"mode": "localapi", "tailscaled": "1.104.6"}.
  std::map<std::string, std::string> details;
  // Running totals of what the source counts ("packets_dropped"), shown in /metrics.
  std::map<std::string, uint64_t> counters{};
  std::chrono::nanoseconds fetch_duration{0};
};

}  // namespace peerscout
