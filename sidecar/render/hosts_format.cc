#include <set>

#include "sidecar/render/format.h"

namespace peerscout {
namespace {

// Names a peer may be called in a hosts file; each one has passed DnsName validation, so no
// whitespace, '#' or newline from a hostile hostname can reach the file.
std::vector<std::string> HostNamesOf(const Peer& peer) {
  std::vector<std::string> names;
  if (!peer.name.empty() && DnsName::Parse(peer.name))
    names.push_back(DnsName::Parse(peer.name)->ToString());
  if (peer.magic_dns && (names.empty() || names.front() != peer.magic_dns->ToString())) {
    names.push_back(peer.magic_dns->ToString());
  }
  return names;
}

}  // namespace

std::string RenderHosts(const PeerSet& peers, const RenderOptions&) {
  std::string text = "# peerscout peer list, version " + std::to_string(peers.version) + "\n";
  for (const Peer& peer : peers.peers) {
    const std::vector<std::string> names = HostNamesOf(peer);
    if (names.empty()) continue;
    std::set<IpAddress> written;
    for (const PeerAddress& address : peer.addresses) {
      const IpAddress* ip = address.endpoint.ip();
      if (ip == nullptr || !written.insert(*ip).second) continue;
      text += ip->ToString();
      for (const std::string& name : names) text += "\t" + name;
      text += "\n";
    }
  }
  return text;
}

}  // namespace peerscout
