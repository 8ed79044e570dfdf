// The order peers are listed in, by the API, the files and the CLI alike: what a person
// scanning a list of a thousand peers expects, and the same every time.
#pragma once

#include <compare>
#include <string_view>
#include <vector>

#include "sidecar/core/peer.h"

namespace peerscout {

// Names ignoring case ("Exo-2" beside "exo-2"), then exactly, so the order is total; an
// unnamed peer goes after every named one.
std::weak_ordering CompareNames(std::string_view a, std::string_view b);

// By name, then by addresses as numbers, best address first (10.0.0.9 before 10.0.0.10,
// IPv4 before IPv6, addresses before names), then by id.
void SortForListing(std::vector<Peer>& peers);

// SortForListing's order of two peers, for finding a peer in a sorted list.
bool ListedBefore(const Peer& a, const Peer& b);

}  // namespace peerscout
