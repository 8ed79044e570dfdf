// How a source is doing, as /v1/sources, /v1/health and /metrics show it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sidecar/core/observation.h"
#include "sidecar/core/peer.h"
#include "sidecar/core/snapshot.h"

namespace peerscout {

struct SourceStatus {
  std::string name;
  std::string type;
  bool enabled = true;
  std::optional<Clock::time_point> last_success;
  std::optional<Clock::time_point> last_error_at;
  std::string last_error;
  std::vector<SourceIssue> issues;             // from the last successful snapshot
  std::map<std::string, std::string> details;  // likewise
  std::map<std::string, uint64_t> counters;    // likewise
  // Faults counted by the sidecar, kept across snapshots: reply_too_large, exceptions.
  std::map<std::string, uint64_t> faults;
  size_t observation_count = 0;
  // Failing now, and serving its last good observations until they expire.
  bool stale = false;
  uint64_t successes = 0;
  uint64_t errors = 0;
  std::chrono::nanoseconds last_fetch_duration{0};
  std::chrono::nanoseconds total_fetch_duration{0};

  bool reported() const { return successes + errors > 0; }
  // The last look failed (stale or not).
  bool failing() const {
    return last_error_at && (!last_success || *last_error_at > *last_success);
  }
};

// Every enabled source has reported at least once: /v1/health turns 200, outputs are written.
bool AllReported(const std::vector<SourceStatus>& sources);

// How many merged peers each source contributes to.
std::map<std::string, size_t> PeersPerSource(const std::vector<Peer>& peers);

}  // namespace peerscout
