#include "sidecar/render/json_peer.h"

#include "sidecar/net/multiaddr.h"

namespace peerscout {

using json::Writer;

namespace {

using json::String;
using json::StringArray;

// What a probe found there, or null when none was tried.
void WriteReach(Writer& writer, const std::optional<Reachability>& reach) {
  if (!reach) {
    writer.Null();
    return;
  }
  writer.StartObject();
  writer.Key("reachable");
  writer.Bool(reach->reachable);
  writer.Key("since");
  String(writer, FormatTimestamp(reach->since));
  writer.Key("round_trip_ms");
  writer.Double(static_cast<double>(reach->round_trip.count()) / 1000.0);
  writer.Key("probe");
  String(writer, ProbeKindName(reach->probe));
  writer.EndObject();
}

void WriteAddress(Writer& writer, const Peer& peer, const PeerAddress& address) {
  const Endpoint& endpoint = address.endpoint;
  writer.StartObject();
  writer.Key("multiaddr");
  String(writer, Multiaddr{endpoint, endpoint.has_port() ? peer.peer_id : std::nullopt}.ToString());
  writer.Key("host");
  String(writer, endpoint.HostText());
  writer.Key("ip");
  if (endpoint.ip()) {
    String(writer, endpoint.ip()->ToString());
  } else {
    writer.Null();
  }
  writer.Key("port");
  if (endpoint.has_port()) {
    writer.Uint(endpoint.port);
  } else {
    writer.Null();
  }
  writer.Key("transport");
  json::StringOrNull(writer, TransportName(endpoint.transport));
  writer.Key("kind");
  String(writer, AddressKindName(address.kind));
  writer.Key("sources");
  StringArray(writer, address.sources);
  writer.Key("reach");
  WriteReach(writer, address.reach);
  writer.EndObject();
}

}  // namespace

void WritePeerJson(Writer& writer, const Peer& peer) {
  writer.StartObject();
  writer.Key("id");
  String(writer, peer.id);
  writer.Key("name");
  String(writer, peer.name);
  writer.Key("peer_id");
  json::StringOrNull(writer, peer.peer_id ? peer.peer_id->ToString() : "");
  writer.Key("zid");
  json::StringOrNull(writer, peer.zenoh_id ? peer.zenoh_id->ToString() : "");
  writer.Key("tailnet_node");
  json::StringOrNull(writer, peer.tailnet_node);
  writer.Key("magic_dns");
  json::StringOrNull(writer, peer.magic_dns ? peer.magic_dns->ToString() : "");
  writer.Key("hostname");
  json::StringOrNull(writer, peer.hostname);
  writer.Key("os");
  json::StringOrNull(writer, peer.os);
  writer.Key("addresses");
  writer.StartArray();
  for (const PeerAddress& address : peer.addresses) WriteAddress(writer, peer, address);
  writer.EndArray();
  writer.Key("sources");
  StringArray(writer, peer.sources);
  writer.Key("tags");
  StringArray(writer, peer.tags);
  writer.Key("online");
  writer.Bool(peer.online);
  writer.Key("stale");
  writer.Bool(peer.stale);
  writer.Key("reachable");
  if (peer.reachable) {
    writer.Bool(*peer.reachable);
  } else {
    writer.Null();
  }
  writer.Key("last_seen");
  json::StringOrNull(writer, peer.last_seen ? FormatTimestamp(*peer.last_seen) : "");
  writer.EndObject();
}

std::string PeerJson(const Peer& peer) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  WritePeerJson(writer, peer);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace peerscout
