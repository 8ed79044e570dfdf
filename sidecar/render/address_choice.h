// Which of a peer's addresses a one-address-per-peer format writes.
#pragma once

#include "sidecar/core/peer.h"

namespace peerscout {

// The best-ranked address with a port, or null.
const PeerAddress* BestDialable(const Peer& peer);
// The best-ranked IPv4 literal with a TCP port (what exo can dial), or null.
const PeerAddress* BestIpv4Tcp(const Peer& peer);
// The best-ranked address with a TCP port, of either family, or null.
const PeerAddress* BestTcp(const Peer& peer);
std::string JoinWith(const std::vector<std::string>& items, std::string_view separator);

}  // namespace peerscout
