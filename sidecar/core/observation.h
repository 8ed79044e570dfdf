// One sighting of a peer by one source: what the merge works from.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "sidecar/core/reachability.h"
#include "sidecar/net/endpoint.h"
#include "sidecar/net/peer_id.h"
#include "sidecar/net/zenoh_id.h"

namespace peerscout {

using Clock = std::chrono::system_clock;

// How traffic to a tailnet node flows, as tailscaled sees it; ranks tailnet addresses.
enum class TailnetPath : uint8_t { kUnknown, kDirect, kRelayed };

// What a source knows about who a peer is. Any field may be empty.
struct IdentityHints {
  std::optional<PeerId> peer_id;    // the app's libp2p identity
  std::optional<ZenohId> zenoh_id;  // the app's zenoh identity (exo's zid)
  std::string tailnet_node;         // tailnet stable node id or node key
  std::optional<DnsName> magic_dns;
  std::string hostname;  // as reported; untrusted, never a merge key
  auto operator<=>(const IdentityHints&) const = default;
};

struct Observation {
  IdentityHints identity;
  // Endpoints with a port are where the app listens; endpoints without one are host addresses
  // (a tailnet node's IPs), facts about the machine rather than about one app instance.
  std::vector<Endpoint> addresses;
  std::optional<bool> online;  // no opinion when empty
  std::optional<Clock::time_point> last_seen;
  std::vector<std::string> tags;
  std::string os;  // as reported ("linux", "macOS"); untrusted, shown only in JSON
  TailnetPath tailnet_path = TailnetPath::kUnknown;
  // Set by a source for data it keeps from an earlier round (a name that no longer
  // resolves); the registry sets it for every observation of a failing source.
  bool stale = false;
  // The source itself reached the app at these addresses (exo's discovery answer): they need
  // no probe of ours.
  std::optional<Reachability> reached = std::nullopt;

  bool operator==(const Observation&) const = default;
};

}  // namespace peerscout
