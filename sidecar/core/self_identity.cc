#include "sidecar/core/self_identity.h"

#include <algorithm>

namespace peerscout {
namespace {

template <typename T>
void AppendUnique(std::vector<T>& into, const std::vector<T>& from) {
  for (const T& item : from) {
    if (std::find(into.begin(), into.end(), item) == into.end()) into.push_back(item);
  }
}

}  // namespace

void SelfIdentity::Add(const SelfIdentity& other) {
  AppendUnique(peer_ids, other.peer_ids);
  AppendUnique(zenoh_ids, other.zenoh_ids);
  AppendUnique(tailnet_nodes, other.tailnet_nodes);
  AppendUnique(addresses, other.addresses);
  AppendUnique(app_ports, other.app_ports);
}

}  // namespace peerscout
