// What changed between two peer sets, for subscribers and the log.
#pragma once

#include <string>
#include <vector>

#include "sidecar/core/peer.h"

namespace peerscout {

struct PeerSetDiff {
  std::vector<std::string> added;    // peer ids
  std::vector<std::string> removed;  // peer ids
  std::vector<std::string> changed;  // same id, different addresses, sources or state
  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};

// In any order (ids unique, as Merge makes them); each list of ids comes out sorted.
PeerSetDiff DiffPeers(const std::vector<Peer>& before, const std::vector<Peer>& after);

}  // namespace peerscout
