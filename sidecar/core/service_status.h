// The one-line state a service manager shows beside the unit (systemd's STATUS=, in
// `systemctl status`): how many peers, and which sources are not well.
#pragma once

#include <string>
#include <vector>

#include "sidecar/core/peer.h"
#include "sidecar/core/source_status.h"

namespace peerscout {

struct ServiceState {
  const PeerSet& peers;
  const std::vector<SourceStatus>& sources;
  bool ready = false;           // /v1/health says ok
  bool reload_refused = false;  // the last SIGHUP's config was refused; the old one runs
};

// "starting: waiting for tailscale", "3 peers (version 7); 2 sources ok",
// "3 peers (version 7); failing: headscale (stale); 1 ok; last reload refused".
std::string ServiceStatusLine(const ServiceState& state);

}  // namespace peerscout
