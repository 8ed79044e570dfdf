// The parts of tailscaled's ipnstate.Status that discovery uses: what `tailscale status --json`
// prints and the LocalAPI's /localapi/v0/status serves (the same JSON).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/base/error_or.h"

namespace peerscout::tailscale {

// One node, as tailscaled reports it. Every string is as received: untrusted.
struct PeerStatus {
  std::string id;         // StableNodeID: "nRJT1utJ3i11CNTRL"; Headscale's node id "3"
  std::string host_name;  // the OS hostname: not unique, not DNS
  std::string dns_name;   // MagicDNS FQDN with its trailing dot; "" without a netmap
  std::string os;
  std::vector<std::string> tailscale_ips;
  std::vector<std::string> tags;
  std::string cur_addr;    // set only with a direct path and recent traffic
  std::string relay;       // home DERP region; set even when direct
  std::string peer_relay;  // since v1.86
  std::string last_seen;   // RFC 3339; meaningful only when offline
  bool online = false;
  bool expired = false;
  bool sharee_node = false;  // shared in from another tailnet
  // Fields whose value was longer than the parser keeps ("HostName"): left empty, and reported.
  std::vector<std::string> oversized;
};

struct Status {
  std::string version;
  std::string backend_state;  // "Running", "Stopped", "NeedsLogin", ...
  PeerStatus self;
  std::vector<PeerStatus> peers;
};

// The largest body read; a 10k-node status is about 12 MB.
inline constexpr size_t kMaxStatusBytes = 64u << 20;

// A pass over the JSON that keeps only the fields above: unknown fields are skipped, missing
// ones keep their defaults. Refuses what is not a JSON object, or is larger than the cap.
ErrorOr<Status> ParseStatus(std::string_view json);

}  // namespace peerscout::tailscale
