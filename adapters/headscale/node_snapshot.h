// What Headscale's node list means for discovery: one observation per selected node.
#pragma once

#include "adapters/headscale/node_list.h"
#include "adapters/headscale/node_selection.h"
#include "sidecar/core/snapshot.h"

namespace peerscout::headscale {

// A pure function; `now` decides which expiries have passed (an expired node is offline).
Snapshot SnapshotFromNodes(const NodeList& list, const NodeSelection& selection,
                           Clock::time_point now);

}  // namespace peerscout::headscale
