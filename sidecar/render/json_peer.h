// One peer as the json format writes it: an element of /v1/peers' "peers" array.
#pragma once

#include <string>

#include "sidecar/core/peer.h"
#include "sidecar/render/json_writer.h"

namespace peerscout {

void WritePeerJson(json::Writer& writer, const Peer& peer);
// The same bytes on their own, for IncrementalJson to keep and splice.
std::string PeerJson(const Peer& peer);

}  // namespace peerscout
