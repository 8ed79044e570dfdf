#include "sidecar/render/incremental_json.h"

#include <vector>

#include "sidecar/render/json_peer.h"

namespace peerscout {
namespace {

// RenderJson's document around its peers: the header, the fragments comma-separated, the end.
std::string Join(uint64_t version, const std::vector<const std::string*>& fragments) {
  const std::string header = "{\"version\":" + std::to_string(version) + ",\"peers\":[";
  constexpr std::string_view kEnd = "]}\n";
  size_t size = header.size() + fragments.size() + kEnd.size();
  for (const std::string* fragment : fragments) size += fragment->size();
  std::string text;
  text.reserve(size);
  text += header;
  for (size_t i = 0; i < fragments.size(); ++i) {
    if (i > 0) text += ',';
    text += *fragments[i];
  }
  text += kEnd;
  return text;
}

}  // namespace

std::string IncrementalJson::Render(std::shared_ptr<const PeerSet> peers) {
  ++round_;
  written_ = 0;
  std::vector<const std::string*> fragments;
  fragments.reserve(peers->peers.size());
  try {
    for (const Peer& peer : peers->peers) fragments.push_back(&FragmentOf(peer));
  } catch (...) {
    Clear();  // some fragments point into `peers`, which is not kept
    throw;
  }
  // A removed peer's bytes would otherwise stay for the life of the process. With none removed
  // (ids are unique), skip the walk over every fragment.
  if (fragments_.size() > fragments.size()) {
    std::erase_if(fragments_, [this](const auto& entry) { return entry.second.round != round_; });
  }
  last_ = std::move(peers);
  return Join(last_->version, fragments);
}

const std::string& IncrementalJson::FragmentOf(const Peer& peer) {
  auto [it, added] = fragments_.try_emplace(peer.id);
  Fragment& fragment = it->second;
  if (added || !(*fragment.peer == peer)) {
    fragment.json = PeerJson(peer);
    ++written_;
  }
  fragment.peer = &peer;
  fragment.round = round_;
  return fragment.json;
}

void IncrementalJson::Clear() {
  last_.reset();
  fragments_.clear();
}

}  // namespace peerscout
