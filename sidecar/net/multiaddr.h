// The subset of multiaddr that names a dialable libp2p peer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sidecar/base/error_or.h"
#include "sidecar/net/endpoint.h"
#include "sidecar/net/peer_id.h"

namespace peerscout {

struct Multiaddr {
  Endpoint endpoint;
  std::optional<PeerId> peer_id;

  // /ip4|/ip6|/dns|/dns4|/dns6, then /tcp/P or /udp/P[/quic-v1], then optionally /p2p/<id>.
  // Every refusal says which part is wrong.
  static ErrorOr<Multiaddr> Parse(std::string_view text);
  std::string ToString() const;
};

}  // namespace peerscout
