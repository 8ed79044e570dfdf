#include "sidecar/core/peer_set_diff.h"

namespace peerscout {

PeerSetDiff DiffPeers(const std::vector<Peer>& before, const std::vector<Peer>& after) {
  PeerSetDiff diff;
  size_t i = 0;
  size_t j = 0;
  while (i < before.size() || j < after.size()) {
    if (j == after.size() || (i < before.size() && before[i].id < after[j].id)) {
      diff.removed.push_back(before[i++].id);
    } else if (i == before.size() || after[j].id < before[i].id) {
      diff.added.push_back(after[j++].id);
    } else {
      if (!(before[i] == after[j])) diff.changed.push_back(after[j].id);
      ++i;
      ++j;
    }
  }
  return diff;
}

}  // namespace peerscout
