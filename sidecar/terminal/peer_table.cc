#include "sidecar/terminal/peer_table.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <compare>
#include <numeric>

#include "sidecar/core/clock_text.h"
#include "sidecar/core/peer_order.h"
#include "sidecar/net/ip_address.h"
#include "sidecar/render/address_choice.h"
#include "sidecar/terminal/json_fields.h"

namespace peerscout::terminal {
namespace {

// Orders like Endpoint: addresses as numbers (IPv4 first), then names, then ports.
struct AddressKey {
  bool is_name = false;
  std::optional<IpAddress> ip;
  std::string host;
  uint64_t port = 0;
  auto operator<=>(const AddressKey&) const = default;
};

struct Address {
  AddressKey key;
  std::string text;  // "192.168.1.5:52416 (lan)"
};

struct PeerRow {
  std::string id;
  std::string name;
  std::vector<Address> addresses;  // best first, as the API ranks them
  std::vector<std::string> sources;
  bool online = true;
  bool stale = false;
  std::optional<Clock::time_point> last_seen;
};

std::string HostPort(const rapidjson::Value& address, const AddressKey& key) {
  std::string host = StringField(address, "host");
  const auto port = address.FindMember("port");
  if (port == address.MemberEnd() || !port->value.IsUint()) return host;
  const bool v6 = key.ip && key.ip->is_v6();
  std::string text = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port->value.GetUint());
  // TCP is what a bare host:port means everywhere else in peerscout.
  const std::string transport = StringField(address, "transport");
  if (!transport.empty() && transport != "tcp") text += "/" + transport;
  return text;
}

Address ReadAddress(const rapidjson::Value& address) {
  Address read;
  read.key.ip = IpAddress::Parse(StringField(address, "ip"));
  read.key.is_name = !read.key.ip;
  read.key.host = StringField(address, "host");
  read.key.port = CountField(address, "port");
  read.text = HostPort(address, read.key);
  const std::string kind = StringField(address, "kind");
  if (!kind.empty()) read.text += " (" + kind + ")";
  return read;
}

PeerRow ReadPeer(const rapidjson::Value& peer) {
  PeerRow row;
  row.id = StringField(peer, "id");
  row.name = StringField(peer, "name");
  for (const rapidjson::Value& address : ArrayField(peer, "addresses").GetArray()) {
    row.addresses.push_back(ReadAddress(address));
  }
  row.sources = StringsField(peer, "sources");
  row.online = BoolField(peer, "online", true);
  row.stale = BoolField(peer, "stale", false);
  row.last_seen = TimeField(peer, "last_seen");
  return row;
}

bool ListedBefore(const PeerRow& a, const PeerRow& b) {
  if (auto by_name = CompareNames(a.name, b.name); by_name != 0) return by_name < 0;
  auto by_address = std::lexicographical_compare_three_way(
      a.addresses.begin(), a.addresses.end(), b.addresses.begin(), b.addresses.end(),
      [](const Address& x, const Address& y) { return x.key <=> y.key; });
  if (by_address != 0) return by_address < 0;
  return a.id < b.id;
}

void AddPeer(TextTable& table, const PeerRow& peer, Clock::time_point now) {
  const Cell none{"-", Tone::kDim};
  table.AddRow({
      peer.name.empty() ? none : Cell{peer.name},
      peer.addresses.empty() ? none : Cell{peer.addresses.front().text},
      Cell{JoinWith(peer.sources, ",")},
      peer.online ? Cell{"yes", Tone::kGood} : Cell{"no", Tone::kWarn},
      peer.last_seen ? Cell{FormatAgo(now - *peer.last_seen)} : none,
      peer.stale ? Cell{"yes", Tone::kWarn} : Cell{"no", Tone::kDim},
  });
  for (size_t i = 1; i < peer.addresses.size(); ++i) {
    table.AddRow({Cell{}, Cell{peer.addresses[i].text}});
  }
}

}  // namespace

ErrorOr<std::string> RenderPeerTable(std::string_view json, Clock::time_point now,
                                     const TerminalView& view) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject() || !document.HasMember("peers") ||
      !document["peers"].IsArray()) {
    return ErrorOr<std::string>::Error("the sidecar's peer list is not the JSON expected");
  }
  std::vector<PeerRow> peers;
  for (const rapidjson::Value& peer : document["peers"].GetArray()) {
    peers.push_back(ReadPeer(peer));
  }
  std::sort(peers.begin(), peers.end(), ListedBefore);
  TextTable table(
      {{"NAME", true}, {"ADDRESS", true}, {"SOURCES", true}, {"ONLINE"}, {"LAST SEEN"}, {"STALE"}});
  for (const PeerRow& peer : peers) AddPeer(table, peer, now);
  return table.Render(view);
}

}  // namespace peerscout::terminal
