#include "sidecar/core/peer_set_diff.h"

#include <algorithm>
#include <numeric>

namespace peerscout {
namespace {

// Positions of the peers in id order: the lists themselves are in listing order.
std::vector<size_t> ByIdOrder(const std::vector<Peer>& peers) {
  std::vector<size_t> order(peers.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return peers[a].id < peers[b].id; });
  return order;
}

}  // namespace

PeerSetDiff DiffPeers(const std::vector<Peer>& before, const std::vector<Peer>& after) {
  const std::vector<size_t> old_order = ByIdOrder(before);
  const std::vector<size_t> new_order = ByIdOrder(after);
  PeerSetDiff diff;
  size_t i = 0;
  size_t j = 0;
  while (i < old_order.size() || j < new_order.size()) {
    const Peer* old_peer = i < old_order.size() ? &before[old_order[i]] : nullptr;
    const Peer* new_peer = j < new_order.size() ? &after[new_order[j]] : nullptr;
    if (new_peer == nullptr || (old_peer != nullptr && old_peer->id < new_peer->id)) {
      diff.removed.push_back(old_peer->id);
      ++i;
    } else if (old_peer == nullptr || new_peer->id < old_peer->id) {
      diff.added.push_back(new_peer->id);
      ++j;
    } else {
      if (!(*old_peer == *new_peer)) diff.changed.push_back(new_peer->id);
      ++i;
      ++j;
    }
  }
  return diff;
}

}  // namespace peerscout
