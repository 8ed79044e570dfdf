// libp2p's mDNS discovery messages (`_p2p._udp.local`), read and built with ldns. Nothing in
// a packet is trusted: every value is bounded and checked before it becomes an announcement.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sidecar/base/error_or.h"
#include "sidecar/net/endpoint.h"
#include "sidecar/net/ip_address.h"
#include "sidecar/net/peer_id.h"

namespace peerscout::mdns {

inline constexpr std::string_view kLibp2pService = "_p2p._udp.local.";

// One peer in a response: its id and where it listens.
struct Libp2pAnnouncement {
  PeerId peer_id;
  // The dnsaddr= addresses with their IP replaced by the packet's source IP (of the same
  // family; port and transport kept), as rust-libp2p does; from an IPv6 link-local source,
  // or in another family, the advertised address itself when it can be dialed.
  std::vector<Endpoint> endpoints;
  std::chrono::seconds ttl{0};  // of the PTR record; 0 is a goodbye
  bool operator==(const Libp2pAnnouncement&) const = default;
};

struct Libp2pMessage {
  bool is_query = false;
  bool asks_for_peers = false;  // a query with a `_p2p._udp.local` PTR question
  std::vector<Libp2pAnnouncement> announcements;
  // Records of the packet that were dropped, and why: counted, and logged at debug level.
  std::vector<std::string> dropped;
};

// Refuses what ldns cannot read (truncated records, compression loops, bad lengths).
ErrorOr<Libp2pMessage> ParseLibp2pMessage(std::span<const uint8_t> packet, const IpAddress& source);

// One `_p2p._udp.local` PTR question, class IN, id 0, no flags: what libp2p peers answer.
std::vector<uint8_t> BuildLibp2pQuery();

}  // namespace peerscout::mdns
