// Narrowing a peer set to what a consumer asked for (?source=, ?online=, ?reachable=, output
// filters).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/peer.h"

namespace peerscout {

// The address families an app can dial.
enum class AddressFamilies : uint8_t { kAny, kIpv4, kIpv6 };
std::string_view AddressFamiliesName(AddressFamilies families);
std::optional<AddressFamilies> ParseAddressFamilies(std::string_view text);

struct PeerFilter {
  std::vector<std::string> sources;  // keep peers seen by any of these; empty keeps all
  std::optional<bool> online;
  // true: peers with an address that answered a probe; false: the others (unprobed included).
  std::optional<bool> reachable;
  // Addresses of another family are dropped, and peers left with none.
  AddressFamilies families = AddressFamilies::kAny;

  bool empty() const {
    return sources.empty() && !online && !reachable && families == AddressFamilies::kAny;
  }
};

// The version is kept: a filtered view is still that version of the list.
PeerSet FilterPeers(const PeerSet& peers, const PeerFilter& filter);

}  // namespace peerscout
