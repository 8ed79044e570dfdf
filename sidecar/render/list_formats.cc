// The list formats: one entry per address (multiaddr) or per peer (exo, lines).
#include "sidecar/net/multiaddr.h"
#include "sidecar/render/address_choice.h"
#include "sidecar/render/format.h"

namespace peerscout {
namespace {

std::string MultiaddrOf(const Peer& peer, const PeerAddress& address) {
  return Multiaddr{address.endpoint, peer.peer_id}.ToString();
}

std::string Terminated(std::string list, std::string_view separator) {
  // A newline-separated list ends with a newline, like any text file; a comma list does not.
  if (!list.empty() && separator == "\n") list += '\n';
  return list;
}

}  // namespace

std::string RenderMultiaddr(const PeerSet& peers, const RenderOptions& options) {
  const std::string separator = options.separator.empty() ? "\n" : options.separator;
  std::vector<std::string> entries;
  for (const Peer& peer : peers.peers) {
    for (const PeerAddress& address : peer.addresses) {
      if (address.endpoint.has_port()) entries.push_back(MultiaddrOf(peer, address));
    }
  }
  return Terminated(JoinWith(entries, separator), separator);
}

// exo v1.0.69-71 splits on ',' without trimming, and silently drops what it cannot dial: DNS
// names, IPv6 (it listens on IPv4 only), UDP. One address per peer, because exo re-dials every
// entry every 5 s whether or not it is connected.
std::string RenderExo(const PeerSet& peers, const RenderOptions&) {
  std::vector<std::string> entries;
  for (const Peer& peer : peers.peers) {
    if (const PeerAddress* address = BestIpv4Tcp(peer)) {
      entries.push_back(MultiaddrOf(peer, *address));
    }
  }
  return JoinWith(entries, ",");
}

// zenoh locators: tcp/<ip>:<port>, IPv6 in brackets, what a zenoh `connect` endpoint list
// (and exo's proposed EXO_ZENOH_CONNECT) takes. One per peer: zenoh gossips the rest.
std::string RenderZenoh(const PeerSet& peers, const RenderOptions&) {
  std::vector<std::string> entries;
  for (const Peer& peer : peers.peers) {
    if (const PeerAddress* address = BestTcp(peer)) {
      entries.push_back("tcp/" + address->endpoint.ToHostPort());
    }
  }
  return JoinWith(entries, ",");
}

std::string RenderLines(const PeerSet& peers, const RenderOptions& options) {
  const std::string separator = options.separator.empty() ? "\n" : options.separator;
  std::vector<std::string> entries;
  for (const Peer& peer : peers.peers) {
    if (const PeerAddress* address = BestDialable(peer)) {
      entries.push_back(address->endpoint.ToHostPort());
    }
  }
  return Terminated(JoinWith(entries, separator), separator);
}

}  // namespace peerscout
