#include "sidecar/core/merge.h"

#include <algorithm>
#include <functional>
#include <numeric>

#include "sidecar/core/peer_order.h"
#include "sidecar/core/shared_keys.h"
#include "sidecar/net/dns_name.h"

namespace peerscout {
namespace {

struct Item {
  const std::string* source;
  const Observation* observation;
  std::vector<const Endpoint*> addresses;  // without our own endpoints
  bool stale;
  bool self;  // this observation is of our own node
  bool app;   // of an app instance (peer id or a port), not only of a host
};

bool Contains(const auto& items, const auto& value) {
  return std::find(items.begin(), items.end(), value) != items.end();
}

bool IsOwnEndpoint(const Endpoint& endpoint, const SelfIdentity& self) {
  const IpAddress* ip = endpoint.ip();
  if (ip == nullptr || !Contains(self.addresses, *ip)) return false;
  if (!endpoint.has_port() || self.app_ports.empty()) return true;
  return Contains(self.app_ports, endpoint.port);
}

// True when the observation is of us: our peer id or node, or only our own addresses.
bool IsSelf(const Observation& observation, const SelfIdentity& self) {
  const IdentityHints& identity = observation.identity;
  if (identity.peer_id && Contains(self.peer_ids, *identity.peer_id)) return true;
  if (identity.zenoh_id && Contains(self.zenoh_ids, *identity.zenoh_id)) return true;
  if (!identity.tailnet_node.empty() && Contains(self.tailnet_nodes, identity.tailnet_node)) {
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

// Keys are short byte strings, a tag and then raw bytes: no text formatting on this path, and
// most fit the small-string buffer.
void AppendHost(std::string& key, const Endpoint& endpoint) {
  if (const IpAddress* ip = endpoint.ip()) {
    key += ip->is_v4() ? '4' : '6';
    key.append(reinterpret_cast<const char*>(ip->bytes()), ip->size());
  } else {
    key += 'n';
    key += endpoint.name()->name.ToString();
  }
}

void AppendEndpoint(std::string& key, const Endpoint& endpoint) {
  key += 'e';
  AppendHost(key, endpoint);
  key += static_cast<char>(endpoint.transport);
  key += static_cast<char>(endpoint.port >> 8);
  key += static_cast<char>(endpoint.port & 0xff);
}

// The keys are built in one scratch string and handed to `keys` as they are made.
template <typename Keys>
void AddAppKeys(const Item& item, uint32_t index, std::string& key, Keys& keys) {
  const IdentityHints& identity = item.observation->identity;
  if (identity.peer_id) {
    key.assign(1, 'p');
    key += identity.peer_id->ToString();
    keys.Add(index, key);
  }
  if (identity.zenoh_id) {
    key.assign(1, 'z');
    const auto& bytes = identity.zenoh_id->little_endian();
    key.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    keys.Add(index, key);
  }
  for (const Endpoint* endpoint : item.addresses) {
    if (!endpoint->has_port()) continue;
    key.clear();
    AppendEndpoint(key, *endpoint);
    keys.Add(index, key);
  }
}

// What identifies the machine: node, MagicDNS name, and every address or name it has. A name
// in an address and a MagicDNS name share the 'h' tag, so they match each other. An app
// instance's host keys are probes: they find the host items of its machine.
template <typename Keys>
void AddHostKeys(const Item& item, uint32_t index, std::string& key, Keys& keys, bool probe) {
  const IdentityHints& identity = item.observation->identity;
  if (!identity.tailnet_node.empty()) {
    key.assign(1, 't');
    key += identity.tailnet_node;
    keys.Add(index, key, probe);
  }
  if (identity.magic_dns) {
    key.assign("hn");
    key += identity.magic_dns->ToString();
    keys.Add(index, key, probe);
  }
  for (const Endpoint* endpoint : item.addresses) {
    key.assign(1, 'h');
    AppendHost(key, *endpoint);
    keys.Add(index, key, probe);
  }
}

// Union-find over items that refuses to join two different values of one identity field.
class Clusters {
 public:
  explicit Clusters(const std::vector<Item>& items) : parent_(items.size()) {
    std::iota(parent_.begin(), parent_.end(), 0);
    for (const Item& item : items) {
      const IdentityHints& identity = item.observation->identity;
      peer_id_.push_back(identity.peer_id ? &*identity.peer_id : nullptr);
      zenoh_id_.push_back(identity.zenoh_id ? &*identity.zenoh_id : nullptr);
      node_.push_back(identity.tailnet_node.empty() ? nullptr : &identity.tailnet_node);
    }
  }

  size_t Find(size_t i) {
    while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
    return i;
  }

  // Joins the clusters of a and b unless their peer ids, zenoh ids or tailnet nodes differ.
  void Join(size_t a, size_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b || Conflicts(peer_id_[a], peer_id_[b]) || Conflicts(zenoh_id_[a], zenoh_id_[b]) ||
        Conflicts(node_[a], node_[b])) {
      return;
    }
    if (b < a) std::swap(a, b);  // the earliest item is the root: deterministic
    parent_[b] = a;
    if (!peer_id_[a]) peer_id_[a] = peer_id_[b];
    if (!zenoh_id_[a]) zenoh_id_[a] = zenoh_id_[b];
    if (!node_[a]) node_[a] = node_[b];
  }

 private:
  template <typename T>
  static bool Conflicts(const T* a, const T* b) {
    return a != nullptr && b != nullptr && !(*a == *b);
  }

  std::vector<size_t> parent_;
  std::vector<const PeerId*> peer_id_;
  std::vector<const ZenohId*> zenoh_id_;
  std::vector<const std::string*> node_;
};

// Joins each item to the lowest item that added one of its keys, entries [0, end) in the order
// they were added (a join refused for conflicting ids depends on what was joined before).
void JoinSharedKeys(Clusters& clusters, const SharedKeys& keys, const std::vector<uint32_t>& lowest,
                    size_t end) {
  for (size_t entry = 0; entry < end; ++entry) {
    const uint32_t first = lowest[entry];
    if (first != SharedKeys::kNone && first != keys.item(entry)) {
      clusters.Join(first, keys.item(entry));
    }
  }
}

template <typename T>
void SortUnique(std::vector<T>& items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
}

class PeerBuilder {
 public:
  PeerBuilder(const NetworkView& view, const ReachabilityMap* probed)
      : view_(view), probed_(probed) {}

  void Add(const Item& item) {
    const Observation& observation = *item.observation;
    const IdentityHints& identity = observation.identity;
    if (!peer_.peer_id) peer_.peer_id = identity.peer_id;
    if (!peer_.zenoh_id) peer_.zenoh_id = identity.zenoh_id;
    if (peer_.tailnet_node.empty()) peer_.tailnet_node = identity.tailnet_node;
    if (!peer_.magic_dns) peer_.magic_dns = identity.magic_dns;
    if (peer_.hostname.empty()) peer_.hostname = identity.hostname;
    if (peer_.os.empty()) peer_.os = observation.os;
    peer_.sources.push_back(*item.source);
    peer_.tags.insert(peer_.tags.end(), observation.tags.begin(), observation.tags.end());
    for (const Endpoint* endpoint : item.addresses) {
      AddAddress(*endpoint, *item.source, observation.reached);
    }
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
    SortUnique(peer_.sources);
    SortUnique(peer_.tags);
    peer_.online = !any_opinion_ || any_online_;
    peer_.stale = all_stale_;
    BuildAddresses();
    peer_.reachable = Reachable(peer_.addresses);
    peer_.name = ChooseName();
    peer_.id = ChooseId();
    return std::move(peer_);
  }

 private:
  void AddAddress(const Endpoint& endpoint, const std::string& source,
                  const std::optional<Reachability>& reached) {
    for (PeerAddress& address : peer_.addresses) {
      if (address.endpoint == endpoint) {
        address.sources.push_back(source);
        // Two sources that reached it: an answer beats a silence, else the first word stays.
        if (reached && (!address.reach || (reached->reachable && !address.reach->reachable))) {
          address.reach = reached;
        }
        return;
      }
    }
    peer_.addresses.push_back({endpoint, AddressKind::kOther, {source}, reached});
  }

  // A source's own answer (exo's) stands; the prober's fills in the rest.
  void AddProbed(PeerAddress& address) const {
    if (address.reach || probed_ == nullptr || !address.endpoint.has_port()) return;
    auto found = probed_->find(address.endpoint);
    if (found != probed_->end()) address.reach = found->second;
  }

  static std::optional<bool> Reachable(const std::vector<PeerAddress>& addresses) {
    std::optional<bool> reachable;
    for (const PeerAddress& address : addresses) {
      if (!address.reach) continue;
      if (address.reach->reachable) return true;
      reachable = false;
    }
    return reachable;
  }

  // A host address without a port is dropped when an endpoint on the same IP has one; its
  // sources vouch for that endpoint instead.
  void BuildAddresses() {
    std::vector<PeerAddress>& addresses = peer_.addresses;
    std::vector<bool> covered(addresses.size(), false);
    for (size_t host = 0; host < addresses.size(); ++host) {
      const Endpoint& bare = addresses[host].endpoint;
      if (bare.has_port() || !bare.ip()) continue;
      for (PeerAddress& address : addresses) {
        if (!address.endpoint.has_port() || !address.endpoint.ip() ||
            !(*address.endpoint.ip() == *bare.ip())) {
          continue;
        }
        const std::vector<std::string>& vouching = addresses[host].sources;
        address.sources.insert(address.sources.end(), vouching.begin(), vouching.end());
        covered[host] = true;
      }
    }
    std::vector<PeerAddress> kept;
    for (size_t i = 0; i < addresses.size(); ++i) {
      if (covered[i]) continue;
      PeerAddress& address = addresses[i];
      SortUnique(address.sources);
      address.kind = ClassifyAddress(address.endpoint, path_, view_);
      AddProbed(address);
      kept.push_back(std::move(address));
    }
    addresses = std::move(kept);
    RankAddresses(addresses, view_);
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

  // The peer id, else the zenoh id; for a host without an app, its node; else the first
  // endpoint in a stable order, names before addresses: a Compose service name outlives its
  // container's IP.
  std::string ChooseId() const {
    if (peer_.peer_id) return peer_.peer_id->ToString();
    if (peer_.zenoh_id) return "zid:" + peer_.zenoh_id->ToString();
    const auto& addresses = peer_.addresses;
    const bool app = std::any_of(addresses.begin(), addresses.end(),
                                 [](const PeerAddress& a) { return a.endpoint.has_port(); });
    if (!app && !peer_.tailnet_node.empty()) return "node:" + peer_.tailnet_node;
    const Endpoint* first = nullptr;
    for (const PeerAddress& address : addresses) {
      const Endpoint& endpoint = address.endpoint;
      if (app && !endpoint.has_port()) continue;
      const bool better = first == nullptr || (endpoint.name() && !first->name()) ||
                          (!endpoint.name() == !first->name() && endpoint < *first);
      if (better) first = &endpoint;
    }
    return first ? first->ToHostPort() : "";
  }

  const NetworkView& view_;
  const ReachabilityMap* probed_;
  Peer peer_;
  TailnetPath path_ = TailnetPath::kUnknown;
  bool any_opinion_ = false;
  bool any_online_ = false;
  bool all_stale_ = true;
};

Item ItemOf(const MergeItem& merge_item, const SelfIdentity& self) {
  const Observation& observation = *merge_item.observation;
  Item item{merge_item.source, &observation, {}, merge_item.stale, false, false};
  item.addresses.reserve(observation.addresses.size());
  for (const Endpoint& endpoint : observation.addresses) {
    if (!IsOwnEndpoint(endpoint, self)) item.addresses.push_back(&endpoint);
  }
  item.self = IsSelf(observation, self);
  item.app = observation.identity.peer_id.has_value() ||
             observation.identity.zenoh_id.has_value() ||
             std::any_of(item.addresses.begin(), item.addresses.end(),
                         [](const Endpoint* e) { return e->has_port(); });
  return item;
}

std::vector<Item> CollectItems(std::span<const MergeItem> merge_items, const SelfIdentity& self) {
  std::vector<Item> items;
  items.reserve(merge_items.size());
  for (const MergeItem& merge_item : merge_items) items.push_back(ItemOf(merge_item, self));
  return items;
}

// JoinKeysOf's sink for AddAppKeys and AddHostKeys: the keys' hashes.
struct KeyHashes {
  std::vector<uint64_t>& keys;
  void Add(uint32_t /*item*/, std::string_view key, bool /*probe*/ = false) {
    keys.push_back(std::hash<std::string_view>{}(key));
  }
};

}  // namespace

// Whether any two peers have one id. Hashes are sorted, not the ids: ids are long strings in
// scattered peers, and duplicates are rare enough for the full check below to run only then.
bool AnyIdTwice(const std::vector<Peer>& peers) {
  std::vector<size_t> hashes;
  hashes.reserve(peers.size());
  for (const Peer& peer : peers) hashes.push_back(std::hash<std::string>{}(peer.id));
  std::sort(hashes.begin(), hashes.end());
  return std::adjacent_find(hashes.begin(), hashes.end()) != hashes.end();
}

// Should two peers come out with one id, the later ones in id order get "#<place>": ids are
// keys for diffs and clients. A stable sort keeps which one that is deterministic.
void MakeIdsUnique(std::vector<Peer>& peers) {
  if (!AnyIdTwice(peers)) return;
  std::vector<size_t> order(peers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return peers[a].id < peers[b].id; });
  for (size_t i = 1; i < order.size(); ++i) {
    if (peers[order[i]].id == peers[order[i - 1]].id) {
      peers[order[i]].id += "#" + std::to_string(i);
    }
  }
}

std::vector<Peer> MergeItems(std::span<const MergeItem> merge_items, const SelfIdentity& self,
                             const NetworkView& network, const ReachabilityMap* probed) {
  const std::vector<Item> items = CollectItems(merge_items, self);
  std::vector<uint32_t> app;
  std::vector<uint32_t> host;
  for (size_t i = 0; i < items.size(); ++i) {
    (items[i].app ? app : host).push_back(static_cast<uint32_t>(i));
  }

  Clusters clusters(items);
  std::string key;
  SharedKeys app_keys;
  for (uint32_t i : app) AddAppKeys(items[i], i, key, app_keys);
  JoinSharedKeys(clusters, app_keys, app_keys.Lowest(), app_keys.size());
  // Host items join each other by their keys; an app instance's probes, added after them, find
  // the host items of its machine.
  SharedKeys host_keys;
  for (uint32_t i : host) AddHostKeys(items[i], i, key, host_keys, false);
  const size_t first_probe = host_keys.size();
  for (uint32_t i : app) AddHostKeys(items[i], i, key, host_keys, true);
  const std::vector<uint32_t> host_of = host_keys.Lowest();
  JoinSharedKeys(clusters, host_keys, host_of, first_probe);

  // members: root -> its items; attached: app root -> the host roots that share a key with it.
  std::vector<std::vector<size_t>> members(items.size());
  std::vector<std::vector<size_t>> attached(items.size());
  std::vector<bool> host_used(items.size(), false);
  for (uint32_t i : app) members[clusters.Find(i)].push_back(i);
  for (size_t probe = first_probe; probe < host_keys.size(); ++probe) {
    if (host_of[probe] == SharedKeys::kNone) continue;
    const size_t root = clusters.Find(host_keys.item(probe));
    const size_t host_root = clusters.Find(host_of[probe]);
    if (!Contains(attached[root], host_root)) attached[root].push_back(host_root);
    host_used[host_root] = true;
  }
  for (size_t i : host) members[clusters.Find(i)].push_back(i);

  std::vector<Peer> peers;
  for (size_t root = 0; root < items.size(); ++root) {
    const std::vector<size_t>& own_items = members[root];
    if (own_items.empty()) continue;                    // not a root
    if (!items[root].app && host_used[root]) continue;  // part of the app peers on that host
    std::vector<size_t> all = own_items;
    for (size_t host_root : attached[root]) {
      const std::vector<size_t>& host_items = members[host_root];
      all.insert(all.end(), host_items.begin(), host_items.end());
    }
    if (std::any_of(all.begin(), all.end(), [&](size_t i) { return items[i].self; })) continue;
    PeerBuilder builder(network, probed);
    for (size_t i : all) builder.Add(items[i]);
    Peer peer = std::move(builder).Build();
    if (peer.addresses.empty() && !peer.peer_id && !peer.zenoh_id) continue;
    peers.push_back(std::move(peer));
  }
  return peers;
}

std::vector<MergeItem> ItemsOf(const MergeInput& input) {
  std::vector<MergeItem> items;
  for (const SourceObservations& source : input.sources) {
    for (const Observation& observation : *source.observations) {
      items.push_back({&source.source, &observation, source.stale || observation.stale});
    }
  }
  return items;
}

std::vector<Peer> Merge(const MergeInput& input) {
  std::vector<Peer> peers = MergeItems(ItemsOf(input), input.self, input.network, input.probed);
  MakeIdsUnique(peers);
  SortForListing(peers);
  return peers;
}

JoinKeys JoinKeysOf(const Observation& observation, const SelfIdentity& self) {
  static const std::string kNoSource;
  const Item item = ItemOf({&kNoSource, &observation, false}, self);
  JoinKeys keys;
  keys.app = item.app;
  std::string key;
  if (item.app) {
    KeyHashes app{keys.app_keys};
    AddAppKeys(item, 0, key, app);
  }
  KeyHashes host{keys.host_keys};
  AddHostKeys(item, 0, key, host, item.app);
  return keys;
}

}  // namespace peerscout
