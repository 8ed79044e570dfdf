// A peer: the merge of every observation of one app instance, and the sorted set of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/observation.h"

namespace peerscout {

// Address classes in preference order: how likely a dial is to succeed, and how fast it is.
enum class AddressKind : uint8_t {
  kLan,             // in a subnet of one of our interfaces
  kTailnetDirect,   // tailnet address, tailscaled has a direct path
  kTailnet,         // tailnet address, path unknown
  kTailnetRelayed,  // tailnet address, traffic goes through DERP
  kOther,
  kDns,  // a name: its resolved addresses are ranked on their own
};
std::string_view AddressKindName(AddressKind kind);

struct PeerAddress {
  Endpoint endpoint;
  AddressKind kind = AddressKind::kOther;
  std::vector<std::string> sources;                  // sorted
  std::optional<Reachability> reach = std::nullopt;  // never probed (no port, or probing off)
  bool operator==(const PeerAddress&) const = default;
};

struct Peer {
  // Stable key: the peer id, else "zid:<zenoh id>", else "node:<tailnet node>", else the first
  // endpoint's text.
  std::string id;
  std::string name;  // a DNS label or name; may be empty
  std::optional<PeerId> peer_id;
  std::optional<ZenohId> zenoh_id;
  std::string tailnet_node;
  std::optional<DnsName> magic_dns;
  std::string hostname;
  std::string os;
  std::vector<PeerAddress> addresses;  // best first
  std::vector<std::string> sources;    // sorted
  std::vector<std::string> tags;       // sorted
  std::optional<Clock::time_point> last_seen;
  bool online = true;
  bool stale = false;
  // True when an address answered, false when every probed one did not, empty when none was
  // probed.
  std::optional<bool> reachable;

  bool operator==(const Peer&) const = default;
};

struct PeerSet {
  uint64_t version = 0;
  std::vector<Peer> peers;  // ids unique, in SortForListing order (peer_order.h)
};

}  // namespace peerscout
