// The merge: every source's latest observations in, one deduplicated peer list out.
#pragma once

#include <string>
#include <vector>

#include "sidecar/core/address_rank.h"
#include "sidecar/core/observation.h"
#include "sidecar/core/peer.h"
#include "sidecar/core/self_identity.h"

namespace peerscout {

struct SourceObservations {
  std::string source;
  const std::vector<Observation>* observations = nullptr;
  bool stale = false;  // the source failed; these are its last good observations
};

struct MergeInput {
  std::vector<SourceObservations> sources;
  SelfIdentity self;
  NetworkView network;
  // What [liveness] found at app endpoints; null when it is off.
  const ReachabilityMap* probed = nullptr;
};

// A pure function: the same input gives the same peers in the same order, SortForListing's.
//
// Observations of one app instance (a peer id, a zenoh id, or an endpoint with a port) are
// joined when they share a peer id, a zid or an endpoint; two different peer ids, zids or
// tailnet nodes are never joined. Observations
// of a host without an app port (a tailnet node) are facts about a machine: they join each
// other by node id, MagicDNS name or address, and are then attached to every app instance on
// that machine, so two instances on one host stay two peers. Our own node is left out.
// Each address carries what a source or the prober found on trying it (Reachability), and
// ranks by it first.
std::vector<Peer> Merge(const MergeInput& input);

}  // namespace peerscout
