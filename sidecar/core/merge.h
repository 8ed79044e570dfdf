// The merge: every source's latest observations in, one deduplicated peer list out.
#pragma once

#include <cstdint>
#include <span>
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

// Merge in parts, for a merge that redoes only what a change touches (ComponentMerge).
struct MergeItem {
  const std::string* source;
  const Observation* observation;
  bool stale;  // the source's or the observation's
};

// The keys an observation joins others by, as Merge builds them: an app instance's (peer id,
// zid, endpoints with a port) and the host keys (node, MagicDNS name, addresses) that a host
// item joins by and an app instance looks its host up by. Our own endpoints are left out.
// Hashes of them, for finding what a change touches: two keys with one hash only make a set
// of items to merge again larger, never one that misses an item.
struct JoinKeys {
  bool app = false;
  std::vector<uint64_t> app_keys;
  std::vector<uint64_t> host_keys;
};
JoinKeys JoinKeysOf(const Observation& observation, const SelfIdentity& self);

// Every observation of the input, in Merge's order.
std::vector<MergeItem> ItemsOf(const MergeInput& input);

// The peers of `items`, in no order and with ids not yet made unique: Merge's work, given in
// Merge's order a set of items closed under sharing a key (every item that shares one with
// an item of the set is in it), so that what the rest would join or attach is not missed.
std::vector<Peer> MergeItems(std::span<const MergeItem> items, const SelfIdentity& self,
                             const NetworkView& network, const ReachabilityMap* probed);

// Whether two peers have one id, which Merge then tells apart with "#<place>" in the whole
// list's id order: a suffix a part of the list cannot know.
bool AnyIdTwice(const std::vector<Peer>& peers);
void MakeIdsUnique(std::vector<Peer>& peers);

}  // namespace peerscout
