#include "adapters/tailscale/status_snapshot.h"

#include <fnmatch.h>
#include <strings.h>

#include <algorithm>

#include "sidecar/core/clock_text.h"
#include "sidecar/net/dns_name.h"
#include "sidecar/tailnet/app_tags.h"
#include "sidecar/tailnet/tailnet_node.h"

namespace peerscout::tailscale {
namespace {

// What a user should do about a state that is not Running.
std::string StateError(const Status& status) {
  const std::string& state = status.backend_state;
  if (state == "Stopped") return "tailscaled is stopped (tailscale down); run `tailscale up`";
  if (state == "NeedsLogin") return "tailscaled is logged out (NeedsLogin); run `tailscale up`";
  if (state == "NeedsMachineAuth") {
    return "this node waits for the tailnet admin to approve it (NeedsMachineAuth)";
  }
  if (state == "Starting" || state == "NoState") return "tailscaled is starting (" + state + ")";
  if (state.empty()) return "the status has no BackendState: is this tailscaled's status?";
  return "tailscaled's state is '" + state + "', not Running";
}

// "exo-b (3)": how a node is named in issues; the hostname is escaped when shown.
std::string Origin(const PeerStatus& peer) {
  return "node " + (peer.host_name.empty() ? std::string("?") : peer.host_name) + " (" + peer.id +
         ")";
}

bool AnyOf(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
  for (const std::string& tag : have) {
    if (std::find(wanted.begin(), wanted.end(), tag) != wanted.end()) return true;
  }
  return false;
}

bool Selected(const PeerStatus& peer, const PeerSelection& selection) {
  if (peer.sharee_node && !selection.include_shared) return false;
  if (selection.online_only && (!peer.online || peer.expired)) return false;
  if (!selection.tags.empty() && !AnyOf(selection.tags, peer.tags)) return false;
  if (!selection.os.empty() &&
      std::none_of(selection.os.begin(), selection.os.end(), [&peer](const std::string& os) {
        return strcasecmp(os.c_str(), peer.os.c_str()) == 0;
      })) {
    return false;
  }
  if (!selection.hostname.empty() &&
      fnmatch(selection.hostname.c_str(), peer.host_name.c_str(), 0) != 0) {
    return false;
  }
  return true;
}

TailnetPath PathOf(const PeerStatus& peer) {
  if (!peer.cur_addr.empty()) return TailnetPath::kDirect;
  // The CLI's rule: through a home DERP and no peer relay; a peer relay is a relay too.
  if (!peer.peer_relay.empty() || !peer.relay.empty()) return TailnetPath::kRelayed;
  return TailnetPath::kUnknown;
}

// What the parser left out of a node for its size: one issue per field, the node still listed
// with what remains.
void ReportOversized(const PeerStatus& peer, Snapshot& snapshot) {
  for (const std::string& field : peer.oversized) {
    snapshot.issues.push_back(
        {field, Origin(peer), "longer than the parser keeps (1024 bytes); left out"});
  }
}

void AddPeer(const PeerStatus& peer, const PeerSelection& selection, Snapshot& snapshot) {
  const std::string origin = Origin(peer);
  Observation observation;
  ReadTailnetNode({peer.id, peer.host_name, peer.tags, peer.tailscale_ips}, selection.tag_prefix,
                  selection.app_port, origin, observation, snapshot.issues);
  if (observation.addresses.empty()) return;
  if (!peer.dns_name.empty()) {
    if (auto name = DnsName::Parse(peer.dns_name)) {
      observation.identity.magic_dns = *name;
    } else {
      snapshot.issues.push_back({peer.dns_name, origin, "MagicDNS name: " + name.error()});
    }
  }
  observation.online = peer.online && !peer.expired;
  if (!*observation.online) observation.last_seen = ParseTimestamp(peer.last_seen);
  observation.os = peer.os;
  observation.tailnet_path = PathOf(peer);
  snapshot.observations.push_back(std::move(observation));
}

// Our node: its addresses and id keep it out of the list; its tags name our own app.
SelfIdentity SelfOf(const PeerStatus& self, const PeerSelection& selection) {
  SelfIdentity identity;
  if (!self.id.empty()) identity.tailnet_nodes.push_back(self.id);
  for (const std::string& text : self.tailscale_ips) {
    if (auto ip = IpAddress::Parse(text)) identity.addresses.push_back(*ip);
  }
  const AppTags app = ReadAppTags(self.tags, selection.tag_prefix);
  if (app.peer_id) identity.peer_ids.push_back(*app.peer_id);
  if (app.port) identity.app_ports.push_back(*app.port);
  return identity;
}

}  // namespace

ErrorOr<Snapshot> SnapshotFromStatus(const Status& status, const PeerSelection& selection) {
  if (status.backend_state != "Running") return ErrorOr<Snapshot>::Error(StateError(status));
  Snapshot snapshot;
  snapshot.self = SelfOf(status.self, selection);
  snapshot.observations.reserve(status.peers.size());
  for (const PeerStatus& peer : status.peers) {
    // A node whose ID was too long to keep is still said to be missing.
    if (peer.id.empty()) ReportOversized(peer, snapshot);
    if (peer.id.empty() || peer.id == status.self.id || !Selected(peer, selection)) continue;
    ReportOversized(peer, snapshot);
    AddPeer(peer, selection, snapshot);
  }
  return snapshot;
}

}  // namespace peerscout::tailscale
