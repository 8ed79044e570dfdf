#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "sidecar/core/clock_text.h"
#include "sidecar/net/multiaddr.h"
#include "sidecar/render/format.h"

namespace peerscout {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void String(Writer& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void StringArray(Writer& writer, const std::vector<std::string>& items) {
  writer.StartArray();
  for (const std::string& item : items) String(writer, item);
  writer.EndArray();
}

void OptionalString(Writer& writer, std::string_view text) {
  if (text.empty()) {
    writer.Null();
  } else {
    String(writer, text);
  }
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
  OptionalString(writer, TransportName(endpoint.transport));
  writer.Key("kind");
  String(writer, AddressKindName(address.kind));
  writer.Key("sources");
  StringArray(writer, address.sources);
  writer.EndObject();
}

void WritePeer(Writer& writer, const Peer& peer) {
  writer.StartObject();
  writer.Key("id");
  String(writer, peer.id);
  writer.Key("name");
  String(writer, peer.name);
  writer.Key("peer_id");
  OptionalString(writer, peer.peer_id ? peer.peer_id->ToString() : "");
  writer.Key("tailnet_node");
  OptionalString(writer, peer.tailnet_node);
  writer.Key("magic_dns");
  OptionalString(writer, peer.magic_dns ? peer.magic_dns->ToString() : "");
  writer.Key("hostname");
  OptionalString(writer, peer.hostname);
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
  writer.Key("last_seen");
  OptionalString(writer, peer.last_seen ? FormatTimestamp(*peer.last_seen) : "");
  writer.EndObject();
}

}  // namespace

std::string RenderJson(const PeerSet& peers, const RenderOptions&) {
  constexpr size_t kBytesPerPeer = 800;  // typical: grow once, not a dozen times
  rapidjson::StringBuffer buffer(nullptr, 64 + peers.peers.size() * kBytesPerPeer);
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("version");
  writer.Uint64(peers.version);
  writer.Key("peers");
  writer.StartArray();
  for (const Peer& peer : peers.peers) WritePeer(writer, peer);
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace peerscout
