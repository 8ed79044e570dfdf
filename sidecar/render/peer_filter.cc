#include "sidecar/render/peer_filter.h"

#include <algorithm>

namespace peerscout {
namespace {

bool Matches(const Peer& peer, const PeerFilter& filter) {
  if (filter.online && peer.online != *filter.online) return false;
  if (filter.reachable && peer.reachable.value_or(false) != *filter.reachable) return false;
  if (filter.sources.empty()) return true;
  return std::any_of(filter.sources.begin(), filter.sources.end(), [&peer](const std::string& s) {
    return std::binary_search(peer.sources.begin(), peer.sources.end(), s);
  });
}

bool InFamilies(const PeerAddress& address, AddressFamilies families) {
  if (families == AddressFamilies::kAny) return true;
  const bool want_v4 = families == AddressFamilies::kIpv4;
  if (const IpAddress* ip = address.endpoint.ip()) return ip->is_v4() == want_v4;
  // A name resolves to whatever the app's resolver asks for, unless the multiaddr said.
  const auto& name = std::get<HostName>(address.endpoint.host);
  return name.family == NameFamily::kAny || (name.family == NameFamily::kV4) == want_v4;
}

}  // namespace

std::string_view AddressFamiliesName(AddressFamilies families) {
  switch (families) {
    case AddressFamilies::kIpv4:
      return "ipv4";
    case AddressFamilies::kIpv6:
      return "ipv6";
    case AddressFamilies::kAny:
      break;
  }
  return "any";
}

std::optional<AddressFamilies> ParseAddressFamilies(std::string_view text) {
  for (AddressFamilies families :
       {AddressFamilies::kAny, AddressFamilies::kIpv4, AddressFamilies::kIpv6}) {
    if (AddressFamiliesName(families) == text) return families;
  }
  return std::nullopt;
}

PeerSet FilterPeers(const PeerSet& peers, const PeerFilter& filter) {
  PeerSet filtered{peers.version, {}};
  for (const Peer& peer : peers.peers) {
    if (!Matches(peer, filter)) continue;
    if (filter.families == AddressFamilies::kAny) {
      filtered.peers.push_back(peer);
      continue;
    }
    Peer narrowed = peer;
    std::erase_if(narrowed.addresses, [&filter](const PeerAddress& address) {
      return !InFamilies(address, filter.families);
    });
    if (!narrowed.addresses.empty()) filtered.peers.push_back(std::move(narrowed));
  }
  return filtered;
}

}  // namespace peerscout
