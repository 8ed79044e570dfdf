// Who we are, so that our own node is never listed as a peer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sidecar/net/ip_address.h"
#include "sidecar/net/peer_id.h"
#include "sidecar/net/zenoh_id.h"

namespace peerscout {

struct SelfIdentity {
  std::vector<PeerId> peer_ids;
  std::vector<ZenohId> zenoh_ids;
  std::vector<std::string> tailnet_nodes;
  // Our addresses: local interfaces, tailnet IPs, configured extras.
  std::vector<IpAddress> addresses;
  // Ports our app listens on. Empty: any port on one of our addresses is us. Set: another
  // app instance on our own host (different port) is a peer.
  std::vector<uint16_t> app_ports;

  void Add(const SelfIdentity& other);
  bool operator==(const SelfIdentity&) const = default;
};

}  // namespace peerscout
