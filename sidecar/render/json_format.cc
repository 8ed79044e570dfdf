#include "sidecar/render/format.h"
#include "sidecar/render/json_peer.h"
#include "sidecar/render/json_writer.h"

namespace peerscout {

std::string RenderJson(const PeerSet& peers, const RenderOptions&) {
  constexpr size_t kBytesPerPeer = 800;  // typical: grow once, not a dozen times
  rapidjson::StringBuffer buffer(nullptr, 64 + peers.peers.size() * kBytesPerPeer);
  json::Writer writer(buffer);
  writer.StartObject();
  writer.Key("version");
  writer.Uint64(peers.version);
  writer.Key("peers");
  writer.StartArray();
  for (const Peer& peer : peers.peers) WritePeerJson(writer, peer);
  writer.EndArray();
  writer.EndObject();
  return json::Finish(buffer);
}

}  // namespace peerscout
