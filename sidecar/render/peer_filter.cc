#include "sidecar/render/peer_filter.h"

#include <algorithm>

namespace peerscout {
namespace {

bool Matches(const Peer& peer, const PeerFilter& filter) {
  if (filter.online && peer.online != *filter.online) return false;
  if (filter.sources.empty()) return true;
  return std::any_of(filter.sources.begin(), filter.sources.end(), [&peer](const std::string& s) {
    return std::binary_search(peer.sources.begin(), peer.sources.end(), s);
  });
}

}  // namespace

PeerSet FilterPeers(const PeerSet& peers, const PeerFilter& filter) {
  PeerSet filtered{peers.version, {}};
  for (const Peer& peer : peers.peers) {
    if (Matches(peer, filter)) filtered.peers.push_back(peer);
  }
  return filtered;
}

}  // namespace peerscout
