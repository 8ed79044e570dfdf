#include "sidecar/render/address_choice.h"

namespace peerscout {

const PeerAddress* BestDialable(const Peer& peer) {
  for (const PeerAddress& address : peer.addresses) {
    if (address.endpoint.has_port()) return &address;
  }
  return nullptr;
}

const PeerAddress* BestIpv4Tcp(const Peer& peer) {
  for (const PeerAddress& address : peer.addresses) {
    const IpAddress* ip = address.endpoint.ip();
    if (ip && ip->is_v4() && address.endpoint.transport == Transport::kTcp) return &address;
  }
  return nullptr;
}

const PeerAddress* BestTcp(const Peer& peer) {
  for (const PeerAddress& address : peer.addresses) {
    if (address.endpoint.transport == Transport::kTcp) return &address;
  }
  return nullptr;
}

std::string JoinWith(const std::vector<std::string>& items, std::string_view separator) {
  std::string joined;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) joined += separator;
    joined += items[i];
  }
  return joined;
}

}  // namespace peerscout
