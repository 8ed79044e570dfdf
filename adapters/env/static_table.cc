#include "adapters/env/static_table.h"

#include "sidecar/net/dns_name.h"
#include "sidecar/net/endpoint.h"
#include "sidecar/net/multiaddr.h"

namespace peerscout::env {
namespace {

using K = OptionKind;

constexpr OptionSpec kStaticOptions[] = {
    {"address", K::kString, "", "A multiaddr or host:port of the peer."},
    {"addresses", K::kStringList, "", "Several addresses of the same peer (one per network)."},
    {"name", K::kString, "", "A name for the peer (hosts output, logs)."},
};

StaticPeer StaticPeerOf(const TableEntry& entry) {
  const OptionValues& values = entry.values;
  StaticPeer peer;
  peer.origin = entry.where;
  if (!values.Get<std::string>("address").empty()) {
    peer.addresses.push_back(values.Get<std::string>("address"));
  }
  for (const std::string& address : values.Get<std::vector<std::string>>("addresses")) {
    peer.addresses.push_back(address);
  }
  peer.name = values.Get<std::string>("name");
  return peer;
}

}  // namespace

const SourceTable& StaticTable() {
  static const SourceTable table{"static", "Static peers, one [[static]] table each.",
                                 kStaticOptions, CheckStaticEntry};
  return table;
}

std::vector<std::string> CheckStaticEntry(const TableEntry& entry) {
  std::vector<std::string> errors;
  const StaticPeer peer = StaticPeerOf(entry);
  if (peer.addresses.empty())
    errors.push_back(peer.origin + ": [[static]] needs address or addresses");
  for (const std::string& address : peer.addresses) {
    std::string reason = address.empty()          ? "empty address"
                         : address.front() == '/' ? Multiaddr::Parse(address).error()
                                                  : ParseHostPort(address).error();
    if (!reason.empty()) {
      errors.push_back(peer.origin + ": [[static]] address '" + address + "': " + reason);
    }
  }
  if (!peer.name.empty() && !DnsName::Parse(peer.name)) {
    errors.push_back(entry.values.OriginOr("name", entry.where) +
                     ": [[static]] name: " + DnsName::Parse(peer.name).error());
  }
  return errors;
}

std::vector<StaticPeer> StaticPeers(const Config& config) {
  std::vector<StaticPeer> peers;
  auto entries = config.tables.find(StaticTable().name);
  if (entries == config.tables.end()) return peers;
  for (const TableEntry& entry : entries->second) peers.push_back(StaticPeerOf(entry));
  return peers;
}

}  // namespace peerscout::env
