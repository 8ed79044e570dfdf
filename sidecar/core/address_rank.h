// Which of a peer's addresses to dial first.
#pragma once

#include <vector>

#include "sidecar/core/peer.h"
#include "sidecar/net/ip_address.h"

namespace peerscout {

// What we know of our own networks, for telling LAN from the rest.
struct NetworkView {
  std::vector<Subnet> local_subnets;  // our interfaces' subnets, tailnet ones excluded
  bool prefer_ipv6 = false;

  bool operator==(const NetworkView&) const = default;
};

AddressKind ClassifyAddress(const Endpoint& endpoint, TailnetPath path, const NetworkView& view);

// Orders best first: reachability (answered > not tried > silent), then kind (LAN > tailnet
// direct > tailnet > relayed > other > name), then family, then addresses with a port, then
// more sources, then text, so the order is total.
void RankAddresses(std::vector<PeerAddress>& addresses, const NetworkView& view);

}  // namespace peerscout
