// Narrowing a peer set to what a consumer asked for (?source=, ?online=, output filters).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sidecar/core/peer.h"

namespace peerscout {

struct PeerFilter {
  std::vector<std::string> sources;  // keep peers seen by any of these; empty keeps all
  std::optional<bool> online;

  bool empty() const { return sources.empty() && !online; }
};

// The version is kept: a filtered view is still that version of the list.
PeerSet FilterPeers(const PeerSet& peers, const PeerFilter& filter);

}  // namespace peerscout
