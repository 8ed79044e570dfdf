#include "sidecar/core/merge.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

#include "sidecar/net/dns_name.h"

namespace peerscout {
namespace {

struct Item {
  const std::string* source;
  const Observation* observation;
  std::vector<Endpoint> addresses;  // without our own endpoints
  bool stale;
};

bool IsOwnEndpoint(const Endpoint& endpoint, const SelfIdentity& self) {
  const IpAddress* ip = endpoint.ip();
  if (ip == nullptr) return false;
  if (std::find(self.addresses.begin(), self.addresses.end(), *ip) == self.addresses.end()) {
    return false;
  }
  if (!endpoint.has_port() || self.app_ports.empty()) return true;
  return std::find(self.app_ports.begin(), self.app_ports.end(), endpoint.port) !=
         self.app_ports.end();
}

// True when the observation is of us: our peer id or node, or only our own addresses.
bool IsSelf(const Observation& observation, const SelfIdentity& self) {
  const IdentityHints& identity = observation.identity;
  if (identity.peer_id && std::find(self.peer_ids.begin(), self.peer_ids.end(),
                                    *identity.peer_id) != self.peer_ids.end()) {
    return true;
  }
  if (!identity.tailnet_node.empty() &&
      std::find(self.tailnet_nodes.begin(), self.tailnet_nodes.end(), identity.tailnet_node) !=
          self.tailnet_nodes.end()) {
    return true;
  }
  // Names are not counted: a name is ours when what it resolved to is.
  bool any_ip = false;
  for (const Endpoint& endpoint : observation.addresses) {
    if (endpoint.ip() == nullptr) continue;
    any_ip = true;
    if (!IsOwnEndpoint(endpoint, self)) return false;
  }
  return any_ip;
}

bool IsAppObservation(const Item& item) {
  if (item.observation->identity.peer_id) return true;
  return std::any_of(item.addresses.begin(), item.addresses.end(),
                     [](const Endpoint& e) { return e.has_port(); });
}

std::string EndpointKey(const Endpoint& endpoint) {
  return "e:" + endpoint.HostText() + "/" + std::string(TransportName(endpoint.transport)) + "/" +
         std::to_string(endpoint.port);
}

std::vector<std::string> HostKeys(const Item& item) {
  std::vector<std::string> keys;
  const IdentityHints& identity = item.observation->identity;
  if (!identity.tailnet_node.empty()) keys.push_back("n:" + identity.tailnet_node);
  if (identity.magic_dns) keys.push_back("d:" + identity.magic_dns->ToString());
  for (const Endpoint& endpoint : item.addresses) {
    keys.push_back((endpoint.ip() ? "i:" : "d:") + endpoint.HostText());
  }
  return keys;
}

// Union-find over items that refuses to join two different values of one identity field.
class Clusters {
 public:
  explicit Clusters(const std::vector<Item>& items) : items_(items), parent_(items.size()) {
    std::iota(parent_.begin(), parent_.end(), 0);
    for (const Item& item : items) {
      const IdentityHints& identity = item.observation->identity;
      peer_id_.push_back(identity.peer_id ? &*identity.peer_id : nullptr);
      node_.push_back(identity.tailnet_node.empty() ? nullptr : &identity.tailnet_node);
    }
  }

  size_t Find(size_t i) {
    while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
    return i;
  }

  // Joins the clusters of a and b unless their peer ids or tailnet nodes differ.
  void Join(size_t a, size_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b || Conflicts(peer_id_[a], peer_id_[b]) || Conflicts(node_[a], node_[b])) return;
    if (b < a) std::swap(a, b);  // the earliest item is the root: deterministic
    parent_[b] = a;
    if (!peer_id_[a]) peer_id_[a] = peer_id_[b];
    if (!node_[a]) node_[a] = node_[b];
  }

  // Joins each item to the first item that produced one of its keys.
  template <typename KeysOf>
  void JoinByKeys(const std::vector<size_t>& members, KeysOf keys_of) {
    std::unordered_map<std::string, size_t> first;
    for (size_t i : members) {
      for (std::string& key : keys_of(items_[i])) {
        auto [it, inserted] = first.emplace(std::move(key), i);
        if (!inserted) Join(it->second, i);
      }
    }
  }

 private:
  template <typename T>
  static bool Conflicts(const T* a, const T* b) {
    return a != nullptr && b != nullptr && !(*a == *b);
  }

  const std::vector<Item>& items_;
  std::vector<size_t> parent_;
  std::vector<const PeerId*> peer_id_;
  std::vector<const std::string*> node_;
};

class PeerBuilder {
 public:
  explicit PeerBuilder(const NetworkView& view) : view_(view) {}

  void Add(const Item& item) {
    const Observation& observation = *item.observation;
    const IdentityHints& identity = observation.identity;
    if (!peer_.peer_id) peer_.peer_id = identity.peer_id;
    if (peer_.tailnet_node.empty()) peer_.tailnet_node = identity.tailnet_node;
    if (!peer_.magic_dns) peer_.magic_dns = identity.magic_dns;
    if (peer_.hostname.empty()) peer_.hostname = identity.hostname;
    sources_.insert(*item.source);
    tags_.insert(observation.tags.begin(), observation.tags.end());
    for (const Endpoint& endpoint : item.addresses) addresses_[endpoint].insert(*item.source);
    if (observation.online) {
      any_opinion_ = true;
      any_online_ = any_online_ || *observation.online;
    }
    if (observation.last_seen && (!peer_.last_seen || *peer_.last_seen < *observation.last_seen)) {
      peer_.last_seen = observation.last_seen;
    }
    if (path_ != TailnetPath::kDirect && observation.tailnet_path != TailnetPath::kUnknown) {
      path_ = observation.tailnet_path;
    }
    all_stale_ = all_stale_ && item.stale;
  }

  Peer Build() && {
    peer_.sources.assign(sources_.begin(), sources_.end());
    peer_.tags.assign(tags_.begin(), tags_.end());
    peer_.online = !any_opinion_ || any_online_;
    peer_.stale = all_stale_;
    BuildAddresses();
    peer_.name = ChooseName();
    peer_.id = ChooseId();
    return std::move(peer_);
  }

 private:
  // A host address without a port is dropped when an endpoint on the same IP has one; its
  // sources vouch for that endpoint instead.
  void BuildAddresses() {
    std::map<IpAddress, std::set<std::string>> host_only;
    for (const auto& [endpoint, sources] : addresses_) {
      if (!endpoint.has_port() && endpoint.ip()) host_only[*endpoint.ip()] = sources;
    }
    std::set<IpAddress> covered;
    for (auto& [endpoint, sources] : addresses_) {
      if (!endpoint.has_port() || !endpoint.ip()) continue;
      auto it = host_only.find(*endpoint.ip());
      if (it == host_only.end()) continue;
      sources.insert(it->second.begin(), it->second.end());
      covered.insert(it->first);
    }
    for (const auto& [endpoint, sources] : addresses_) {
      if (!endpoint.has_port() && endpoint.ip() && covered.count(*endpoint.ip())) continue;
      PeerAddress address;
      address.endpoint = endpoint;
      address.kind = ClassifyAddress(endpoint, path_, view_);
      address.sources.assign(sources.begin(), sources.end());
      peer_.addresses.push_back(std::move(address));
    }
    RankAddresses(peer_.addresses, view_);
  }

  std::string ChooseName() const {
    if (peer_.magic_dns) {
      const std::string& fqdn = peer_.magic_dns->ToString();
      return fqdn.substr(0, fqdn.find('.'));
    }
    if (!peer_.hostname.empty()) {
      std::string label = SanitizeHostLabel(peer_.hostname);
      if (DnsName::Parse(label)) return label;
    }
    for (const PeerAddress& address : peer_.addresses) {
      if (address.endpoint.name()) return address.endpoint.name()->name.ToString();
    }
    return "";
  }

  // Names sort before addresses: a Compose service name outlives its container's IP.
  std::string ChooseId() const {
    if (peer_.peer_id) return peer_.peer_id->ToString();
    const bool app = std::any_of(addresses_.begin(), addresses_.end(),
                                 [](const auto& entry) { return entry.first.has_port(); });
    if (!app && !peer_.tailnet_node.empty()) return "node:" + peer_.tailnet_node;
    const Endpoint* first = nullptr;
    for (const auto& [endpoint, sources] : addresses_) {
      if (app && !endpoint.has_port()) continue;
      if (first == nullptr || (endpoint.name() && !first->name())) first = &endpoint;
      if (first->name()) break;
    }
    return first ? first->ToHostPort() : "";
  }

  const NetworkView& view_;
  Peer peer_;
  std::set<std::string> sources_;
  std::set<std::string> tags_;
  std::map<Endpoint, std::set<std::string>> addresses_;
  TailnetPath path_ = TailnetPath::kUnknown;
  bool any_opinion_ = false;
  bool any_online_ = false;
  bool all_stale_ = true;
};

std::vector<Item> CollectItems(const MergeInput& input, std::vector<bool>& self) {
  std::vector<Item> items;
  for (const SourceObservations& source : input.sources) {
    for (const Observation& observation : *source.observations) {
      Item item{&source.source, &observation, {}, source.stale || observation.stale};
      for (const Endpoint& endpoint : observation.addresses) {
        if (!IsOwnEndpoint(endpoint, input.self)) item.addresses.push_back(endpoint);
      }
      self.push_back(IsSelf(observation, input.self));
      items.push_back(std::move(item));
    }
  }
  return items;
}

void MakeIdsUnique(std::vector<Peer>& peers) {
  for (size_t i = 1; i < peers.size(); ++i) {
    if (peers[i].id == peers[i - 1].id) peers[i].id += "#" + std::to_string(i);
  }
}

}  // namespace

std::vector<Peer> Merge(const MergeInput& input) {
  std::vector<bool> self;
  const std::vector<Item> items = CollectItems(input, self);
  std::vector<size_t> app;
  std::vector<size_t> host;
  for (size_t i = 0; i < items.size(); ++i) (IsAppObservation(items[i]) ? app : host).push_back(i);

  Clusters clusters(items);
  clusters.JoinByKeys(app, [](const Item& item) {
    std::vector<std::string> keys;
    const IdentityHints& identity = item.observation->identity;
    if (identity.peer_id) keys.push_back("p:" + identity.peer_id->ToString());
    for (const Endpoint& endpoint : item.addresses) {
      if (endpoint.has_port()) keys.push_back(EndpointKey(endpoint));
    }
    return keys;
  });
  clusters.JoinByKeys(host, HostKeys);

  // Host clusters that share a key with an app cluster are attached to it.
  std::unordered_map<std::string, std::set<size_t>> host_roots_by_key;
  for (size_t i : host) {
    for (std::string& key : HostKeys(items[i])) host_roots_by_key[key].insert(clusters.Find(i));
  }
  std::map<size_t, std::vector<size_t>> members;  // root -> items, ordered by root
  std::map<size_t, std::set<size_t>> attached;    // app root -> host roots
  std::set<size_t> used_host_roots;
  for (size_t i : app) {
    const size_t root = clusters.Find(i);
    members[root].push_back(i);
    for (const std::string& key : HostKeys(items[i])) {
      auto it = host_roots_by_key.find(key);
      if (it == host_roots_by_key.end()) continue;
      attached[root].insert(it->second.begin(), it->second.end());
      used_host_roots.insert(it->second.begin(), it->second.end());
    }
  }
  for (size_t i : host) members[clusters.Find(i)].push_back(i);

  std::vector<Peer> peers;
  for (const auto& [root, own_items] : members) {
    const bool is_host = !IsAppObservation(items[root]);
    if (is_host && used_host_roots.count(root)) continue;
    std::vector<size_t> all = own_items;
    for (size_t host_root : attached[root]) {
      const auto& host_items = members[host_root];
      all.insert(all.end(), host_items.begin(), host_items.end());
    }
    if (std::any_of(all.begin(), all.end(), [&](size_t i) { return self[i]; })) continue;
    PeerBuilder builder(input.network);
    for (size_t i : all) builder.Add(items[i]);
    Peer peer = std::move(builder).Build();
    if (peer.addresses.empty() && !peer.peer_id) continue;
    peers.push_back(std::move(peer));
  }
  std::sort(peers.begin(), peers.end(), [](const Peer& a, const Peer& b) { return a.id < b.id; });
  MakeIdsUnique(peers);
  return peers;
}

}  // namespace peerscout
