#include "sidecar/render/address_choice.h"
#include "sidecar/render/format.h"
#include "sidecar/render/json_writer.h"

namespace peerscout {
namespace {

using json::Writer;

void Label(Writer& writer, std::string_view key, std::string_view value) {
  writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  json::String(writer, value);
}

}  // namespace

// Prometheus file_sd/http_sd: [{"targets": [...], "labels": {...}}]. Meta labels follow the
// __meta_<sd>_ convention so relabelling can keep what it needs; list values are wrapped in
// commas (",env,mdns,") as Prometheus' own SDs do, so a regex can match one member.
std::string RenderFileSd(const PeerSet& peers, const RenderOptions&) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartArray();
  for (const Peer& peer : peers.peers) {
    const PeerAddress* address = BestDialable(peer);
    if (address == nullptr) continue;
    writer.StartObject();
    writer.Key("targets");
    writer.StartArray();
    json::String(writer, address->endpoint.ToHostPort());
    writer.EndArray();
    writer.Key("labels");
    writer.StartObject();
    Label(writer, "__meta_peerscout_id", peer.id);
    Label(writer, "__meta_peerscout_name", peer.name);
    if (peer.peer_id) Label(writer, "__meta_peerscout_peer_id", peer.peer_id->ToString());
    Label(writer, "__meta_peerscout_sources", "," + JoinWith(peer.sources, ",") + ",");
    Label(writer, "__meta_peerscout_address_kind", AddressKindName(address->kind));
    Label(writer, "__meta_peerscout_online", peer.online ? "true" : "false");
    Label(writer, "__meta_peerscout_stale", peer.stale ? "true" : "false");
    writer.EndObject();
    writer.EndObject();
  }
  writer.EndArray();
  return json::Finish(buffer);
}

}  // namespace peerscout
