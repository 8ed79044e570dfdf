// The merge kept between changes. Each observation's join keys are indexed, so that when a
// source's snapshot differs from its last one in a few observations, only the components
// those touch (every observation the merge could join or attach to them, transitively) are
// merged again and spliced into the listed peers: a change costs in proportion to it, not to
// the cluster. The result is Merge's, byte for byte; a differential test holds it to that.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sidecar/core/merge.h"
#include "sidecar/core/peer_set_diff.h"

namespace peerscout {

struct MergeResult {
  std::vector<Peer> peers;  // SortForListing's order; left empty when the diff is empty
  PeerSetDiff diff;         // from the listed peers to these
};

class ComponentMerge {
 public:
  // Merge and DiffPeers of everything. The index survives when only the merge's other inputs
  // (staleness, networks, probes) changed; ForgetObservations says when it may not.
  MergeResult Full(const MergeInput& input, const std::vector<Peer>& listed);

  // `source`'s observations go from what `input` names to `after`, nothing else changes, and
  // `listed` is what the last result listed. Empty when only a full merge can say: two peers
  // would have one id, and Merge's "#<place>" suffix depends on the whole list.
  std::optional<MergeResult> Replace(const MergeInput& input, const std::string& source,
                                     const std::vector<Observation>& after,
                                     const std::vector<Peer>& listed);

  // Observations changed other than through Replace: the index is built again when needed.
  void ForgetObservations() { indexed_ = false; }

 private:
  using Handle = uint32_t;
  using KeyIndex = std::unordered_map<uint64_t, std::vector<Handle>>;  // by a key's hash

  // Where an indexed observation is: its source (a key of handles_) and place in its list.
  struct Place {
    const std::string* source = nullptr;
    uint32_t position = 0;
  };

  // A source's change, found by comparing its lists in place.
  struct Change {
    std::vector<uint32_t> removed;  // positions in the old list
    std::vector<uint32_t> added;    // positions in the new list
    uint32_t head = 0;              // the length of the unchanged head
    uint32_t tail_old = 0;          // where the unchanged tail starts in the old list
    uint32_t tail_new = 0;          // and in the new one
  };

  // The peers of the components a change touches, before (gone) and after (come) it.
  struct Touched {
    std::vector<Peer> gone;
    std::vector<Peer> come;
  };

  static Change Compare(const std::vector<Observation>& before,
                        const std::vector<Observation>& after);

  Touched Move(const Change& change, const MergeInput& input);
  std::optional<MergeResult> Spliced(Touched touched, const std::vector<Peer>& listed);
  void Reindex(const MergeInput& input);
  void Index(Handle handle, const JoinKeys& keys, bool add);
  Handle NewHandle(const std::string* source, uint32_t position);
  void Forget(Handle handle, const MergeInput& input);
  std::vector<Handle> Component(const std::vector<Handle>& seeds, const MergeInput& input);
  const Observation& ObservationOf(Handle handle, const MergeInput& input) const;
  std::vector<Peer> MergeOf(const std::vector<Handle>& handles, uint8_t left_out,
                            const MergeInput& input) const;
  void Renumber(std::vector<Handle>& handles, const Change& change,
                const std::vector<Handle>& fresh);
  bool IdsStayUnique(const std::vector<Peer>& gone, const std::vector<Peer>& come) const;
  void KeepIds(const std::vector<std::string>& gone, const std::vector<std::string>& come);

  // source -> the handle of each observation, by position
  std::map<std::string, std::vector<Handle>, std::less<>> handles_;
  std::vector<Place> places_;  // by handle
  std::vector<Handle> free_;
  std::vector<uint8_t> mark_;  // by handle: scratch of Replace, zero between calls
  KeyIndex app_index_;         // app key -> the app instances with it
  KeyIndex host_index_;        // host key -> the host items with it
  KeyIndex probe_index_;       // host key -> the app instances that look their host up by it
  bool indexed_ = false;
  SelfIdentity indexed_self_;  // own endpoints are not keys

  // The listed ids, known while no two peers share one (Merge then suffixes them).
  enum class Ids : uint8_t { kUnknown, kKnown, kTwice };
  Ids ids_state_ = Ids::kUnknown;
  std::unordered_set<std::string> ids_;

  // What Replace works on: the source, its lists, and whether its handles' positions are in
  // the new list yet (a fresh one's always are).
  struct Replacing {
    const std::string* source = nullptr;
    const std::vector<Observation>* before = nullptr;
    const std::vector<Observation>* after = nullptr;
    bool renumbered = false;
  };
  Replacing replacing_;
};

}  // namespace peerscout
