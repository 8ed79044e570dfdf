// What tailscaled's status means for discovery: who we are, and one observation per node.
#pragma once

#include "adapters/tailscale/peer_selection.h"
#include "adapters/tailscale/status.h"
#include "sidecar/base/error_or.h"
#include "sidecar/core/snapshot.h"

namespace peerscout::tailscale {

// A pure function. A backend state other than Running is an error, never a snapshot: after
// `tailscale down` tailscaled still reports its last netmap, whose peers are not live.
ErrorOr<Snapshot> SnapshotFromStatus(const Status& status, const PeerSelection& selection);

}  // namespace peerscout::tailscale
