#include "sidecar/core/component_merge.h"

#include <algorithm>
#include <string_view>

#include "sidecar/core/peer_order.h"

namespace peerscout {
namespace {

// Marks of a handle while Replace works.
constexpr uint8_t kInComponent = 1;
constexpr uint8_t kFresh = 2;    // an observation the new list has and the old did not
constexpr uint8_t kRemoved = 4;  // one the old list had and the new does not

const std::vector<Observation> kNoObservations;

const SourceObservations* SourceNamed(const MergeInput& input, std::string_view name) {
  for (const SourceObservations& source : input.sources) {
    if (source.source == name) return &source;
  }
  return nullptr;
}

// The listed peers without `gone` and with `come`, both in listing order. Empty when a gone
// peer is not listed: the list was not made from these inputs, and only a full merge can say.
std::optional<std::vector<Peer>> Splice(const std::vector<Peer>& listed,
                                        const std::vector<Peer>& gone, std::vector<Peer> come) {
  std::vector<size_t> gone_at;
  gone_at.reserve(gone.size());
  for (const Peer& peer : gone) {
    auto at = std::lower_bound(listed.begin(), listed.end(), peer, ListedBefore);
    if (at == listed.end() || at->id != peer.id) return std::nullopt;
    gone_at.push_back(static_cast<size_t>(at - listed.begin()));
  }
  std::vector<Peer> peers;
  peers.reserve(listed.size() - gone.size() + come.size());
  size_t next_gone = 0;
  size_t next_come = 0;
  for (size_t i = 0; i < listed.size(); ++i) {
    while (next_come < come.size() && ListedBefore(come[next_come], listed[i])) {
      peers.push_back(std::move(come[next_come++]));
    }
    if (next_gone < gone_at.size() && gone_at[next_gone] == i) {
      ++next_gone;
      continue;
    }
    peers.push_back(listed[i]);
  }
  while (next_come < come.size()) peers.push_back(std::move(come[next_come++]));
  return peers;
}

}  // namespace

MergeResult ComponentMerge::Full(const MergeInput& input, const std::vector<Peer>& listed) {
  std::vector<Peer> peers = MergeItems(ItemsOf(input), input.self, input.network, input.probed);
  const bool twice = AnyIdTwice(peers);
  if (twice) MakeIdsUnique(peers);
  SortForListing(peers);
  MergeResult result;
  result.diff = DiffPeers(listed, peers);
  result.peers = std::move(peers);
  if (twice) {
    ids_state_ = Ids::kTwice;
  } else if (ids_state_ == Ids::kKnown) {
    KeepIds(result.diff.removed, result.diff.added);
  } else {
    ids_state_ = Ids::kUnknown;
  }
  return result;
}

std::optional<MergeResult> ComponentMerge::Replace(const MergeInput& input,
                                                   const std::string& source,
                                                   const std::vector<Observation>& after,
                                                   const std::vector<Peer>& listed) {
  const SourceObservations* current = SourceNamed(input, source);
  // A stale source's observations all change with it becoming fresh.
  if (ids_state_ == Ids::kTwice || (current != nullptr && current->stale)) return std::nullopt;
  const std::vector<Observation>& before = current ? *current->observations : kNoObservations;
  const Change change = Compare(before, after);
  if (change.removed.empty() && change.added.empty()) return MergeResult{};
  if (!indexed_ || !(indexed_self_ == input.self)) Reindex(input);
  if (ids_state_ == Ids::kUnknown) {
    ids_.clear();
    for (const Peer& peer : listed) ids_.insert(peer.id);
    ids_state_ = Ids::kKnown;
  }
  replacing_ = {&handles_.try_emplace(source).first->first, &before, &after, false};
  Touched touched = Move(change, input);
  replacing_ = {};
  return Spliced(std::move(touched), listed);
}

// The peers of the components the change touches, before and after it; the index is moved to
// the new list on the way.
ComponentMerge::Touched ComponentMerge::Move(const Change& change, const MergeInput& input) {
  std::vector<Handle>& handles = handles_[*replacing_.source];
  std::vector<Handle> seeds;
  for (uint32_t position : change.removed) {
    mark_[handles[position]] |= kRemoved;
    seeds.push_back(handles[position]);
  }
  std::vector<Handle> fresh;
  for (uint32_t position : change.added) {
    const Handle handle = NewHandle(replacing_.source, position);
    mark_[handle] |= kFresh;
    Index(handle, JoinKeysOf((*replacing_.after)[position], input.self), true);
    fresh.push_back(handle);
    seeds.push_back(handle);
  }
  const std::vector<Handle> component = Component(seeds, input);
  Touched touched;
  touched.gone = MergeOf(component, kFresh, input);
  for (uint32_t position : change.removed) Forget(handles[position], input);
  Renumber(handles, change, fresh);
  replacing_.renumbered = true;
  touched.come = MergeOf(component, kRemoved, input);
  for (Handle handle : component) mark_[handle] = 0;
  return touched;
}

std::optional<MergeResult> ComponentMerge::Spliced(Touched touched,
                                                   const std::vector<Peer>& listed) {
  if (!IdsStayUnique(touched.gone, touched.come)) return std::nullopt;
  SortForListing(touched.gone);
  SortForListing(touched.come);
  MergeResult result;
  result.diff = DiffPeers(touched.gone, touched.come);
  if (result.diff.empty()) return result;
  std::optional<std::vector<Peer>> peers = Splice(listed, touched.gone, std::move(touched.come));
  if (!peers) {
    ids_state_ = Ids::kUnknown;  // the listed ids are not what the index says either
    return std::nullopt;
  }
  KeepIds(result.diff.removed, result.diff.added);
  result.peers = std::move(*peers);
  return result;
}

// Sources keep their order from round to round, so a change is a run in the middle: the
// common head and tail are skipped, and a middle of one length on both sides is compared
// place by place. A middle whose length changed is taken as removed and added whole.
ComponentMerge::Change ComponentMerge::Compare(const std::vector<Observation>& before,
                                               const std::vector<Observation>& after) {
  const size_t shorter = std::min(before.size(), after.size());
  size_t head = 0;
  while (head < shorter && before[head] == after[head]) ++head;
  size_t tail = 0;
  while (tail < shorter - head &&
         before[before.size() - 1 - tail] == after[after.size() - 1 - tail]) {
    ++tail;
  }
  Change change;
  change.head = static_cast<uint32_t>(head);
  change.tail_old = static_cast<uint32_t>(before.size() - tail);
  change.tail_new = static_cast<uint32_t>(after.size() - tail);
  if (change.tail_old == change.tail_new) {
    for (uint32_t i = change.head; i < change.tail_old; ++i) {
      if (before[i] == after[i]) continue;
      change.removed.push_back(i);
      change.added.push_back(i);
    }
    return change;
  }
  for (uint32_t i = change.head; i < change.tail_old; ++i) change.removed.push_back(i);
  for (uint32_t i = change.head; i < change.tail_new; ++i) change.added.push_back(i);
  return change;
}

void ComponentMerge::Reindex(const MergeInput& input) {
  handles_.clear();
  places_.clear();
  free_.clear();
  mark_.clear();
  app_index_.clear();
  host_index_.clear();
  probe_index_.clear();
  size_t total = 0;
  for (const SourceObservations& source : input.sources) total += source.observations->size();
  app_index_.reserve(total);
  host_index_.reserve(total);
  probe_index_.reserve(total);
  places_.reserve(total);
  mark_.reserve(total);
  for (const SourceObservations& source : input.sources) {
    auto& [name, handles] = *handles_.try_emplace(source.source).first;
    const std::vector<Observation>& observations = *source.observations;
    handles.reserve(observations.size());
    for (size_t i = 0; i < observations.size(); ++i) {
      const Handle handle = NewHandle(&name, static_cast<uint32_t>(i));
      Index(handle, JoinKeysOf(observations[i], input.self), true);
      handles.push_back(handle);
    }
  }
  indexed_ = true;
  indexed_self_ = input.self;
}

// An app instance's host keys are lookups of its host (probe_index_), not keys it joins
// other app instances by: two apps on one machine stay apart unless a host item links them.
void ComponentMerge::Index(Handle handle, const JoinKeys& keys, bool add) {
  auto apply = [&](KeyIndex& index, uint64_t key) {
    if (add) {
      index[key].push_back(handle);
      return;
    }
    auto found = index.find(key);
    if (found == index.end()) return;
    std::vector<Handle>& handles = found->second;
    auto at = std::find(handles.begin(), handles.end(), handle);
    if (at != handles.end()) {
      *at = handles.back();  // the order within a key does not matter
      handles.pop_back();
    }
    if (handles.empty()) index.erase(found);
  };
  for (uint64_t key : keys.app_keys) apply(app_index_, key);
  for (uint64_t key : keys.host_keys) apply(keys.app ? probe_index_ : host_index_, key);
}

ComponentMerge::Handle ComponentMerge::NewHandle(const std::string* source, uint32_t position) {
  if (!free_.empty()) {
    const Handle handle = free_.back();
    free_.pop_back();
    places_[handle] = {source, position};
    return handle;
  }
  places_.push_back({source, position});
  mark_.push_back(0);
  return static_cast<Handle>(places_.size() - 1);
}

void ComponentMerge::Forget(Handle handle, const MergeInput& input) {
  Index(handle, JoinKeysOf(ObservationOf(handle, input), input.self), false);
  free_.push_back(handle);
}

// Everything the merge could join or attach to the seeds, in the old lists and the new at
// once: the index holds both the removed observations and the fresh ones until this is done,
// so the set is closed in both and its old and new peers are exactly those that change.
std::vector<ComponentMerge::Handle> ComponentMerge::Component(const std::vector<Handle>& seeds,
                                                              const MergeInput& input) {
  std::vector<Handle> component;
  std::vector<Handle> pending;  // in the component, their keys not yet looked up
  auto visit = [&](Handle handle) {
    if ((mark_[handle] & kInComponent) != 0) return;
    mark_[handle] |= kInComponent;
    component.push_back(handle);
    pending.push_back(handle);
  };
  auto visit_key = [&](const KeyIndex& index, uint64_t key) {
    auto found = index.find(key);
    if (found == index.end()) return;
    for (Handle handle : found->second) visit(handle);
  };
  for (Handle seed : seeds) visit(seed);
  while (!pending.empty()) {
    const Handle handle = pending.back();
    pending.pop_back();
    const JoinKeys keys = JoinKeysOf(ObservationOf(handle, input), input.self);
    for (uint64_t key : keys.app_keys) visit_key(app_index_, key);
    for (uint64_t key : keys.host_keys) {
      visit_key(host_index_, key);
      if (!keys.app) visit_key(probe_index_, key);
    }
  }
  return component;
}

const Observation& ComponentMerge::ObservationOf(Handle handle, const MergeInput& input) const {
  const Place& place = places_[handle];
  if (place.source == replacing_.source) {
    const bool in_new = replacing_.renumbered || (mark_[handle] & kFresh) != 0;
    return (*(in_new ? replacing_.after : replacing_.before))[place.position];
  }
  return (*SourceNamed(input, *place.source)->observations)[place.position];
}

// The peers of the handles not marked `left_out`, merged in Merge's order: by source name
// (the registry's sources are a map), then by place in the source's list.
std::vector<Peer> ComponentMerge::MergeOf(const std::vector<Handle>& handles, uint8_t left_out,
                                          const MergeInput& input) const {
  std::vector<Handle> kept;
  kept.reserve(handles.size());
  for (Handle handle : handles) {
    if ((mark_[handle] & left_out) == 0) kept.push_back(handle);
  }
  std::sort(kept.begin(), kept.end(), [this](Handle a, Handle b) {
    const Place& x = places_[a];
    const Place& y = places_[b];
    if (x.source != y.source) return *x.source < *y.source;
    return x.position < y.position;
  });
  std::vector<MergeItem> items;
  items.reserve(kept.size());
  for (Handle handle : kept) {
    const std::string* source = places_[handle].source;
    const SourceObservations* listed = SourceNamed(input, *source);
    const Observation& observation = ObservationOf(handle, input);
    // The replaced source is fresh (Replace refuses a stale one), whatever input says.
    const bool source_stale = source != replacing_.source && listed != nullptr && listed->stale;
    items.push_back({source, &observation, source_stale || observation.stale});
  }
  return MergeItems(items, input.self, input.network, input.probed);
}

// The source's handles by position in the new list: head and tail as they were (the tail's
// positions moved), the middle's fresh handles in place of the removed ones.
void ComponentMerge::Renumber(std::vector<Handle>& handles, const Change& change,
                              const std::vector<Handle>& fresh) {
  const size_t new_size = change.tail_new + (handles.size() - change.tail_old);
  std::vector<Handle> renumbered(handles.begin(), handles.begin() + change.head);
  renumbered.reserve(new_size);
  size_t next_fresh = 0;
  for (uint32_t position = change.head; position < change.tail_new; ++position) {
    const bool is_fresh = next_fresh < change.added.size() && change.added[next_fresh] == position;
    renumbered.push_back(is_fresh ? fresh[next_fresh++] : handles[position]);
  }
  for (size_t old = change.tail_old; old < handles.size(); ++old) {
    places_[handles[old]].position = static_cast<uint32_t>(renumbered.size());
    renumbered.push_back(handles[old]);
  }
  handles = std::move(renumbered);
}

bool ComponentMerge::IdsStayUnique(const std::vector<Peer>& gone,
                                   const std::vector<Peer>& come) const {
  std::unordered_set<std::string_view> gone_ids;
  for (const Peer& peer : gone) gone_ids.insert(peer.id);
  std::unordered_set<std::string_view> come_ids;
  for (const Peer& peer : come) {
    if (!come_ids.insert(peer.id).second) return false;
    if (ids_.contains(peer.id) && !gone_ids.contains(peer.id)) return false;
  }
  return true;
}

void ComponentMerge::KeepIds(const std::vector<std::string>& gone,
                             const std::vector<std::string>& come) {
  for (const std::string& id : gone) ids_.erase(id);
  for (const std::string& id : come) ids_.insert(id);
}

}  // namespace peerscout
