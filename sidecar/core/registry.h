// The registry: each source's latest snapshot, the merged peer set, its version, and the
// subscribers told what changed. Time is passed in, so it is tested without clocks.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sidecar/core/component_merge.h"
#include "sidecar/core/merge.h"
#include "sidecar/core/peer_set_diff.h"
#include "sidecar/core/snapshot.h"
#include "sidecar/core/source_status.h"

namespace peerscout {

struct SourceDeclaration {
  std::string name;
  std::string type;
  bool enabled = true;
};

class Registry {
 public:
  using Listener =
      std::function<void(const std::shared_ptr<const PeerSet>& peers, const PeerSetDiff& diff)>;

  struct Options {
    // How long a failing source's last good observations are served (marked stale).
    std::chrono::nanoseconds stale_after = std::chrono::minutes(10);
    SelfIdentity self;  // configured; sources and interfaces add to it
    NetworkView network;
  };

  explicit Registry(Options options);

  // Sets the sources that exist. A source kept by name keeps its data; a removed source's
  // observations go. Used at start and on reload.
  void DeclareSources(const std::vector<SourceDeclaration>& sources);
  void SetOptions(Options options);
  void SetLocalNetwork(NetworkView network, SelfIdentity local);

  // A complete snapshot: replaces everything the source said before (empty removes all).
  void Publish(const std::string& source, Snapshot snapshot, Clock::time_point now);
  // The source could not look: keep its last good observations, stale, until they expire.
  void Fail(const std::string& source, const std::string& error, Clock::time_point now);
  // Adds one to the source's count of `fault`; nothing else changes, so no merge runs.
  void Count(const std::string& source, std::string_view fault);
  // What the prober ([liveness]) found at app endpoints, complete; merged only when it changed.
  void SetReachability(ReachabilityMap probed);
  // Drops the observations of failing sources whose last success is more than stale_after ago.
  void Expire(Clock::time_point now);

  std::shared_ptr<const PeerSet> Current() const;
  std::vector<SourceStatus> Sources() const;
  // Who we are, as the merge last saw it: configured, our interfaces, and what every source
  // learned (tailscaled's Self, the local app's mDNS answer).
  SelfIdentity Self() const;

  // Listeners run on the thread that made the change, one change at a time, in version
  // order. They must not call back into the registry's mutating methods.
  void Subscribe(Listener listener);

 private:
  struct SourceEntry {
    SourceStatus status;
    std::vector<Observation> observations;
    SelfIdentity self;
  };

  // update_mutex_ held for each
  MergeInput CurrentInput() const;
  void Remerge();
  void Install(MergeResult merged);

  mutable std::mutex update_mutex_;  // serializes changes and their notifications
  Options options_;
  NetworkView local_network_;
  SelfIdentity local_self_;
  std::map<std::string, SourceEntry> sources_;
  ReachabilityMap probed_;
  ComponentMerge components_;  // the merge of what the sources last said
  std::vector<Listener> listeners_;

  mutable std::mutex read_mutex_;  // guards what readers copy
  std::shared_ptr<const PeerSet> current_;
  std::vector<SourceStatus> statuses_;
  SelfIdentity self_;
};

}  // namespace peerscout
