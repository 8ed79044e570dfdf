// The json format for successive versions of one list (/v1/peers, an output file): a change of
// one peer among 10k writes that peer again and copies the bytes of the others from the last
// render, so the cost of a version follows what changed, not the size of the list.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "sidecar/core/peer.h"

namespace peerscout {

class IncrementalJson {
 public:
  // RenderJson(*peers, {}), byte for byte. A peer equal to its last rendered version (by id)
  // is not written again; comparing is cheaper than writing, and holds however many versions
  // were skipped since. Keeps `peers` until the next call, to compare with.
  std::string Render(std::shared_ptr<const PeerSet> peers);
  // Peers the last Render wrote; the others' bytes were reused.
  size_t written() const { return written_; }
  // Lets go of the kept set and bytes (as large as a full render); the next Render writes
  // every peer.
  void Clear();

 private:
  struct Fragment {
    const Peer* peer = nullptr;  // as last rendered, in last_
    std::string json;
    uint64_t round = 0;  // the last Render that listed the peer
  };

  // The peer's bytes, written again unless it equals its fragment's peer.
  const std::string& FragmentOf(const Peer& peer);

  std::shared_ptr<const PeerSet> last_;
  std::unordered_map<std::string, Fragment> fragments_;  // by peer id
  uint64_t round_ = 0;
  size_t written_ = 0;
};

}  // namespace peerscout
